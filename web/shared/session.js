// The staff or partner session: token and who, ONLY in sessionStorage under "ycht.staff" (never in a
// URL, never in storage that outlives the tab), so it ends with the tab. Every API call goes through authorisedFetch.
import { API_BASE } from "./config.js";

const KEY = "ycht.staff";
export const SIGN_IN = "/portal/signin";

// Where each role works once signed in.
const LANDING = {
  officer: "/portal/",
  supervisor: "/portal/supervisor",
  dispatcher: "/portal/dispatch",
  tow: "/partner/tow",
  hospital: "/partner/hospital",
};

/** Thrown after a redirect to sign-in: the caller stops what it was doing. */
export class SignedOut extends Error {}

export function readSession() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return stored && typeof stored.token === "string" ? stored : null;
  } catch {
    return null;
  }
}

export function writeSession({ token, role, subject, org = null, jurisdiction = null, name }) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, role, subject, org, jurisdiction, name }));
}

/** A same-origin path to come back to; anything else (another origin, "//host") is ignored. */
export function safeNext(next) {
  return typeof next === "string" && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : null;
}

export function landingFor(role) {
  return LANDING[role] || null;
}

function toSignIn() {
  const here = location.pathname + location.search;
  location.assign(here.startsWith(SIGN_IN) ? SIGN_IN : `${SIGN_IN}?next=${encodeURIComponent(here)}`);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  location.assign(SIGN_IN);
}

/** The session, or a redirect to sign-in (returning null) when there is none. */
export function requireSession() {
  const session = readSession();
  if (!session) toSignIn();
  return session;
}

/** fetch() on the API with the session's bearer token; a 401 ends the session and goes to sign-in. */
export async function authorisedFetch(path, init = {}) {
  const session = readSession();
  if (!session) {
    toSignIn();
    throw new SignedOut("no session");
  }
  const headers = new Headers(init.headers || {});
  headers.set("Authorization", `Bearer ${session.token}`);
  const response = await fetch(API_BASE + path, { cache: "no-store", ...init, headers });
  if (response.status === 401) {
    sessionStorage.removeItem(KEY);
    toSignIn();
    throw new SignedOut("session expired");
  }
  return response;
}
