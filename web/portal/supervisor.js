// The supervisor's page: claims overdue on the insurer clock, each insurer's webhook delivery health,
// and the reports.
import { h, renderOnChange, when } from "/h5/dom.js";
import { every, getJson } from "./api.js";
import { openPage, showError } from "./chrome.js";
import { reportPicker, showLive } from "./reports.js";
import { CLAIM_STATUS, DELIVERY_DEAD, DELIVERY_FAILING, DUTY } from "./texts.js";

const REFRESH_SECONDS = 20;
const errorLine = document.getElementById("error");
let insurers = [];

const insurerName = (code) => insurers.find((i) => i.code === code)?.name || code;

async function showOverdue() {
  const overdue = await getJson("/portal/claims?overdue=true");
  const body = document.querySelector("#overdue tbody");
  renderOnChange(body, JSON.stringify(overdue.claims), () => overdue.claims.map((claim) =>
    h("tr", { className: "alert", "data-claim": claim.claimId },
      h("td", {}, h("a", { href: `/portal/cases/${encodeURIComponent(claim.caseId)}` }, claim.caseId)),
      h("td", {}, insurerName(claim.insurerCode)),
      h("td", {}, DUTY[claim.duty] || claim.duty),
      h("td", {}, claim.due),
      h("td", {}, CLAIM_STATUS[claim.status] || claim.status))));
  document.querySelector("#overdue .empty").hidden = overdue.claims.length > 0;
}

/** Each message counted once, by its latest attempt (the log is newest first). */
function health(code, deliveries) {
  const latest = new Map();
  for (const attempt of deliveries) if (!latest.has(attempt.outboxId)) latest.set(attempt.outboxId, attempt);
  const outcomes = [...latest.values()].map((attempt) => attempt.outcome);
  const lastError = deliveries.find((attempt) => attempt.outcome !== "DELIVERED");
  return {
    code,
    delivered: outcomes.filter((o) => o === "DELIVERED").length,
    failing: outcomes.filter((o) => DELIVERY_FAILING.has(o)).length,
    dead: outcomes.filter((o) => DELIVERY_DEAD.has(o)).length,
    lastAt: deliveries[0]?.at,
    lastError: lastError ? (lastError.error || `HTTP ${lastError.statusCode ?? "—"}`) : "",
  };
}

async function showDelivery() {
  const rows = await Promise.all(insurers.map(async ({ code }) =>
    health(code, (await getJson(`/insurer/deliveries?insurerCode=${encodeURIComponent(code)}&limit=50`)).deliveries)));
  rows.sort((a, b) => (b.dead + b.failing) - (a.dead + a.failing) || (b.lastAt || "").localeCompare(a.lastAt || ""));
  renderOnChange(document.querySelector("#delivery tbody"), JSON.stringify(rows), () => rows.map((row) =>
    h("tr", { className: row.dead + row.failing > 0 ? "alert" : "", "data-insurer": row.code },
      h("th", { scope: "row" }, insurerName(row.code)),
      h("td", { className: "number", "data-delivered": "" }, String(row.delivered)),
      h("td", { className: "number", "data-failing": "" }, String(row.failing)),
      h("td", { className: "number", "data-dead": "" }, String(row.dead)),
      h("td", {}, row.lastAt ? when(row.lastAt) : "—"),
      h("td", {}, row.lastError))));
}

const session = openPage(["supervisor"]);
if (session) {
  reportPicker();
  every(REFRESH_SECONDS, async () => {
    try {
      if (!insurers.length) insurers = (await getJson("/insurers")).items;
      await Promise.all([showOverdue(), showDelivery()]);
      errorLine.textContent = "";
    } catch (error) {
      showError(errorLine, error);
    }
    showLive().catch(() => {
      document.getElementById("live").replaceChildren(h("p", { className: "hint" }, "今日统计暂不可用。"));
    });
  });
}
