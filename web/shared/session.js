// The staff or partner session (s5 interfaces): only in sessionStorage under "ycht.staff", never in a URL.
// A minimal stand-in until the sign-in page's own module is merged (that one is kept).
import { API_BASE } from "./config.js";

const KEY = "ycht.staff";

export function readSession() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function toSignIn() {
  location.assign(`/portal/signin?next=${encodeURIComponent(location.pathname)}`);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  toSignIn();
}

/** fetch() with the session's bearer token; no session or a 401 goes back to sign-in. */
export async function authorisedFetch(path, init = {}) {
  const session = readSession();
  if (!session || !session.token) {
    toSignIn();
    throw new Error("no session");
  }
  const headers = { ...(init.headers || {}), Authorization: `Bearer ${session.token}` };
  const response = await fetch(API_BASE + path, { cache: "no-store", ...init, headers });
  if (response.status === 401) signOut();
  return response;
}
