// The party page: opened from the SMS link, it moves the token into session storage, cleans the
// address bar, then shows the case live (polling), the evidence checklist, the decision and rescue.
import { ApiError, createClient, partyOf, tokenKey } from "./api.js";
import { decisionParts } from "./decision.js";
import { createDirectPay } from "./direct-pay.js";
import { h, renderOnChange, when } from "./dom.js";
import { createEvidence } from "./evidence.js";
import { createRescue } from "./rescue.js";
import { LINK_EXPIRED, LINK_HELP, LINK_INVALID, MOVE_VEHICLES, NEXT_STEP, SIGNED_WAITING, STATUS } from "./texts.js";

const POLL_MS = 3000;
const TIMELINE_SHOWN = 6;
const $ = (selector) => document.querySelector(selector);

function caseIdFromPath() {
  const found = /^\/h5\/cases\/([^/?#]+)/.exec(window.location.pathname);
  return found ? decodeURIComponent(found[1]) : null;
}

/** The token from the link goes to session storage; the address bar keeps only the case. */
function takeToken(caseId) {
  const url = new URL(window.location.href);
  const fromLink = url.searchParams.get("token");
  if (fromLink) {
    sessionStorage.setItem(tokenKey(caseId), fromLink);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(tokenKey(caseId));
}

function linkProblem(kind) {
  const words = kind === "expired" ? LINK_EXPIRED : LINK_INVALID;
  $("#app").hidden = true;
  const box = $("#link-problem");
  box.dataset.kind = kind;
  box.replaceChildren(
    h("h1", {}, words.title), h("p", {}, words.body), h("p", {}, LINK_HELP),
    h("a", { className: "button", href: "tel:110" }, "拨打 110"));
  box.hidden = false;
}

function renderStatus(view, me) {
  $("#case-id").textContent = `案件号 ${view.caseId}`;
  $("#status").textContent = STATUS[view.status] || view.status;
  $("#status").dataset.status = view.status;
  const signed = view.status === "DETERMINED" && view.signatures[me];
  $("#next-step").textContent = signed ? SIGNED_WAITING : NEXT_STEP[view.status] || "";
  const notice = $("#move-notice");
  notice.hidden = !(view.evidence.complete && view.status === "AWAITING_DETERMINATION");
  notice.textContent = MOVE_VEHICLES;
  $("#evidence").hidden = view.status === "REFERRED_ON_SCENE";
  const shotList = $("#shot-list");
  if (shotList.dataset.status !== view.status) { // opened while shots are due; the party may open it later
    shotList.dataset.status = view.status;
    shotList.open = view.status === "EVIDENCE_PENDING";
  }
  renderOnChange($("#parties"), JSON.stringify([view.parties, me]), () => [
    h("h2", {}, "当事人"),
    h("ul", {}, view.parties.map((p) => h("li", { className: p.partyId === me ? "me" : "" },
      h("strong", {}, `${p.label}${p.partyId === me ? "（我）" : ""}`),
      h("span", {}, p.name), h("span", {}, p.phone), p.vehicle ? h("span", {}, p.vehicle.plate) : null))),
  ]);
}

async function renderTimeline(api, view) {
  // The case carries the latest entries; when there are more, the timeline endpoint has them all.
  const entries = view.timelineComplete ? view.timeline
    : (await api.get(`/cases/${encodeURIComponent(view.caseId)}/timeline?limit=200`)).entries;
  const item = (entry) => h("li", { "data-action": entry.action }, h("time", { datetime: entry.at }, when(entry.at)), h("span", {}, entry.text));
  const newest = entries.slice().reverse();
  renderOnChange($("#timeline"), JSON.stringify(entries.map((e) => [e.at, e.action])), () => [
    h("h2", {}, "处理进度"),
    h("ol", {}, newest.slice(0, TIMELINE_SHOWN).map(item)),
    newest.length > TIMELINE_SHOWN
      ? h("details", {}, h("summary", {}, `更早的 ${newest.length - TIMELINE_SHOWN} 条记录`), h("ol", { className: "older" }, newest.slice(TIMELINE_SHOWN).map(item)))
      : null,
  ]);
}

async function main() {
  const caseId = caseIdFromPath();
  const token = caseId ? takeToken(caseId) : null;
  if (!caseId || !token) return linkProblem("invalid");
  const api = createClient(token);
  const me = partyOf(token);
  let timer = null;

  async function refresh() {
    clearTimeout(timer);
    try {
      const view = await api.get(`/cases/${encodeURIComponent(caseId)}`);
      $("#offline").hidden = true;
      $("#app").hidden = false;
      renderStatus(view, me);
      evidence.render(view);
      const decision = $("#decision");
      renderOnChange(decision, JSON.stringify([view.status, view.determination, view.agreement, view.signatures, view.documents]),
        () => decisionParts({ api, view, me, onChange: refresh }));
      decision.hidden = decision.childElementCount === 0;
      await directPay.render(view);
      await rescue.render(view);
      await renderTimeline(api, view);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return linkProblem(/expired/.test(error.message) ? "expired" : "invalid");
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) return linkProblem("invalid");
      $("#offline").hidden = false; // kept trying: the next poll may succeed
    }
    timer = setTimeout(tick, POLL_MS);
  }

  async function tick() {
    if (navigator.onLine) evidence.flush();
    await refresh();
  }

  const evidence = createEvidence({ container: $("#evidence"), api, caseId, onChange: refresh });
  const directPay = createDirectPay({ container: $("#direct-pay"), api, caseId });
  const rescue = createRescue({ container: $("#rescue"), api, caseId, me, onChange: refresh });
  window.addEventListener("online", () => { evidence.flush(); refresh(); });
  window.addEventListener("offline", () => { $("#offline").hidden = false; });
  await refresh();
  evidence.flush(); // shots kept from before a reload or a lost connection
}

main();
