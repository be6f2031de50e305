// JSON calls for the staff and partner pages over the session's authorisedFetch; a refusal is an
// ApiError carrying the API's code and field, so a page can say it in words.
import { ApiError, NetworkError } from "/h5/api.js";
import { authorisedFetch, readSession } from "./session.js";

export { ApiError, NetworkError };

async function call(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await authorisedFetch(path, init);
  } catch (error) {
    throw new NetworkError(String(error));
  }
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const api = {
  get: (path) => call("GET", path),
  post: (path, body) => call("POST", path, body === undefined ? {} : body),
};

/** The session when it is one of these roles; otherwise off to sign-in (and null). */
export function sessionFor(roles) {
  const session = readSession();
  if (!session || !roles.includes(session.role)) {
    location.replace(`/portal/signin?next=${encodeURIComponent(location.pathname)}`);
    return null;
  }
  return session;
}

/** Call `tick` now and every `ms` while the tab is open; a failed tick waits for the next one. */
export function every(ms, tick, onError) {
  const run = () => Promise.resolve().then(tick).catch((error) => onError && onError(error));
  run();
  return setInterval(run, ms);
}
