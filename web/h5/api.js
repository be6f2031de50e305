// The documented API (/openapi.json), called with the party's bearer token from session storage.
// Locally the API answers on this page's own origin; in AWS under /api of the same distribution (ADR 0031).
import { API_BASE } from "/shared/config.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error ? body.error.code : "";
    this.field = body && body.error ? body.error.field : "";
    this.userMessage = body && body.error ? body.error.userMessage || "" : ""; // Chinese words for the party, when the API has them
  }
}

/** Thrown when the request never reached the API (offline, connection lost). */
export class NetworkError extends Error {}

export function tokenKey(caseId) {
  return `yct.h5.token.${caseId}`;
}

/** The party this token speaks for: its `sub` claim (read only to know "me"; the API checks it). */
export function partyOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub || null;
  } catch {
    return null;
  }
}

export function createClient(token) {
  async function send(method, path, body) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(API_BASE + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new NetworkError(String(error));
    }
  }
  async function refused(response) {
    const text = await response.text();
    return new ApiError(response.status, text ? JSON.parse(text) : null);
  }
  async function call(method, path, body) {
    const response = await send(method, path, body);
    if (!response.ok) throw await refused(response);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }
  /** A reply that is not JSON (an image drawn for this party), as a Blob. */
  async function blob(path) {
    const response = await send("GET", path);
    if (!response.ok) throw await refused(response);
    return response.blob();
  }
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body === undefined ? {} : body),
    blob,
  };
}
