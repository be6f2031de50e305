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

const named = new Map(); // path -> its code -> name map, read once per page

/** A reference list's names by code (GET /insurers, GET /repair-shops), read once per page; a failed
 * read is tried again next time. */
export function namesOf(path) {
  if (!named.has(path)) {
    named.set(path, getJson(path).then((list) => new Map(list.items.map((item) => [item.code, item.name])))
      .catch((error) => { named.delete(path); throw error; }));
  }
  return named.get(path);
}

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
