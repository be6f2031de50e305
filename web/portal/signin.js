// Sign-in: locally the stand-in lists the seeded accounts (GET /local/staff); in AWS the Cognito hosted
// UI (authorization code + PKCE, ADR 0025/0029) or a pasted ID token. Either way the token is checked
// by GET /portal/me and kept with who it is in sessionStorage only, then each role lands on its page.
import { ApiError } from "/h5/api.js";
import { h } from "/h5/dom.js";
import { API_BASE } from "/shared/config.js";
import { SIGN_IN, landingFor, safeNext, writeSession } from "/shared/session.js";
import { ROLE } from "./texts.js";

const CALLBACK = "/staff/signed-in";
const PKCE_KEY = "ycht.signin"; // the verifier and state of one hosted sign-in, until it returns
const errorLine = document.getElementById("error");
const next = safeNext(new URLSearchParams(location.search).get("next"));
const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content || "";
const hosted = { domain: meta("ycht-sign-in-domain"), client: meta("ycht-sign-in-client") };

async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API_BASE + path, {
    method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

function land(session, wanted) {
  writeSession(session);
  const target = wanted || landingFor(session.role);
  if (!target) {
    errorLine.textContent = `账号（${ROLE[session.role] || session.role}）在本平台没有工作页面。`;
    return;
  }
  location.replace(target);
}

async function signInWithToken(token, wanted) {
  try {
    const me = await api("GET", "/portal/me", { token });
    land({ ...me, token }, wanted);
  } catch (error) {
    errorLine.textContent = error.status === 401 || error.status === 403
      ? "身份令牌无效、已过期或不属于工作人员账号，请重新登录。"
      : `登录失败：${error.message}`;
  }
}

// --- local stand-in -------------------------------------------------------------------------------

function accountButton(account) {
  const detail = account.org ? account.org : account.subject;
  return h("li", {},
    h("button", {
      type: "button", className: "button secondary", "data-role": account.role, "data-subject": account.subject,
      onclick: async () => {
        try {
          const body = account.org ? { role: account.role, org: account.org } : { role: account.role, subject: account.subject };
          land(await api("POST", "/local/staff/token", { body }), next);
        } catch (error) {
          errorLine.textContent = `登录失败：${error.message}`;
        }
      },
    }, `${account.name}（${detail}）`));
}

async function showStandIn() {
  let listed;
  try {
    listed = await api("GET", "/local/staff");
  } catch {
    return; // not the local stack: no stand-in
  }
  const byRole = new Map();
  for (const account of listed.accounts) {
    if (!byRole.has(account.role)) byRole.set(account.role, []);
    byRole.get(account.role).push(account);
  }
  const groups = [...byRole].map(([role, accounts]) => {
    const list = h("ul", { className: "accounts" }, accounts.map(accountButton));
    const title = `${ROLE[role] || role}（${accounts.length}）`;
    // Staff first and open; the long partner lists fold away.
    return accounts[0].org ? h("details", {}, h("summary", {}, title), list) : h("div", {}, h("h3", {}, title), list);
  });
  document.getElementById("accounts").replaceChildren(...groups);
  document.getElementById("local").hidden = false;
}

// --- Cognito hosted UI: authorization code with PKCE ----------------------------------------------

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function startHostedSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, next }));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code", client_id: hosted.client, redirect_uri: location.origin + CALLBACK, scope: "openid",
    code_challenge: challenge, code_challenge_method: "S256", state,
  });
  location.assign(`${hosted.domain}/oauth2/authorize?${query}`);
}

async function finishHostedSignIn() {
  const query = new URLSearchParams(location.search);
  history.replaceState(null, "", SIGN_IN); // the one-time code leaves the address bar at once
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  sessionStorage.removeItem(PKCE_KEY);
  if (!pending || pending.state !== query.get("state") || !query.get("code")) {
    errorLine.textContent = "登录未完成或已过期，请重新登录。";
    return;
  }
  const exchanged = await fetch(`${hosted.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: hosted.client, code: query.get("code"),
      redirect_uri: location.origin + CALLBACK, code_verifier: pending.verifier,
    }),
  });
  const tokens = exchanged.ok ? await exchanged.json() : {};
  if (!tokens.id_token) {
    errorLine.textContent = "统一身份认证未返回身份令牌，请重新登录。";
    return;
  }
  await signInWithToken(tokens.id_token, pending.next);
}

// --- page -----------------------------------------------------------------------------------------

document.getElementById("paste-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = document.getElementById("id-token");
  const token = field.value.trim();
  field.value = "";
  signInWithToken(token, next);
});

if (hosted.domain && hosted.client) {
  document.getElementById("hosted").hidden = false;
  document.getElementById("hosted-sign-in").addEventListener("click", startHostedSignIn);
  if (location.pathname === CALLBACK) finishHostedSignIn();
}
showStandIn();
