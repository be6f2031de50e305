// JSON calls on the documented API with the staff session (errors as the party page's ApiError).
import { ApiError } from "/h5/api.js";
import { authorisedFetch } from "/shared/session.js";

async function call(method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await authorisedFetch(path, init);
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

export const getJson = (path) => call("GET", path);
export const postJson = (path, body = {}) => call("POST", path, body);

/** Run `refresh` now and again `seconds` after each run ends (no overlapping polls, no reload). */
export function every(seconds, refresh) {
  const run = async () => {
    try {
      await refresh();
    } finally {
      setTimeout(run, seconds * 1000);
    }
  };
  run();
}
