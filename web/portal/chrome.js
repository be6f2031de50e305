// What every portal page shares: the signed-in person in the header, sign-out, and a page that
// refuses roles it is not for.
import { h } from "/h5/dom.js";
import { landingFor, requireSession, signOut } from "/shared/session.js";
import { ROLE } from "./texts.js";

/** The session if its role may use this page; otherwise null (after a redirect or a message). */
export function openPage(roles) {
  const session = requireSession();
  if (!session) return null;
  const who = document.getElementById("who");
  who.replaceChildren(
    h("span", { className: "who-name" }, session.name),
    h("span", { className: "who-role" }, ROLE[session.role] || session.role),
    h("button", { type: "button", className: "link-button", "data-action": "sign-out", onclick: signOut }, "退出登录"),
  );
  if (!roles.includes(session.role)) {
    const home = landingFor(session.role);
    document.querySelector("main").replaceChildren(
      h("section", { className: "card", role: "alert" },
        h("h1", {}, "无权访问此页面"),
        h("p", {}, `当前账号（${ROLE[session.role] || session.role}）不能使用此页面。`),
        home ? h("a", { href: home, className: "button" }, "前往我的工作台") : null),
    );
    return null;
  }
  return session;
}

export function showError(element, error) {
  element.textContent = error && error.message ? `操作失败：${error.message}` : "";
}
