// The officer's case page: the case polled live (status, timeline, determination, signatures),
// parties in full, the shots, the audit chain's validity, and the determination form.
import { h, renderOnChange, when } from "/h5/dom.js";
import { every, getJson, namesOf } from "./api.js";
import { openPage, showError } from "./chrome.js";
import { determinationForm, openDocument } from "./determine.js";
import { shotList } from "./evidence.js";
import { CHANNEL, LIABILITY, STATUS } from "./texts.js";

const REFRESH_SECONDS = 4;
const caseId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[2] || "");
const section = (id) => document.querySelector(`#${id} .body`);
const errorLine = document.getElementById("error");

function summary(view) {
  const rows = [
    ["发生时间", when(view.occurredAt)],
    ["报警时间", when(view.reportedAt)],
    ["地点", `${view.location.address}（${view.location.lat.toFixed(5)}, ${view.location.lng.toFixed(5)}）`],
    ["天气", view.weather || "—"],
    ["报警方式", CHANNEL[view.channel] || view.channel],
    ["人员受伤", view.injuries ? "有" : "无"],
    ["车辆能否移动", view.vehiclesMovable === false ? "不能" : "能"],
  ];
  return rows.flatMap(([name, value]) => [h("dt", {}, name), h("dd", {}, value)]);
}

function parties(view, insurers) {
  const insurer = (code) => (code ? insurers.get(code) || code : "—");
  return h("table", {},
    h("thead", {}, h("tr", {}, ["", "姓名", "电话", "证件号码", "车牌", "保险公司", "保单号"].map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, view.parties.map((p) => h("tr", { "data-party": p.partyId },
      h("th", { scope: "row" }, p.label), h("td", {}, p.name), h("td", {}, p.phone), h("td", {}, p.idNumber),
      h("td", {}, p.vehicle ? p.vehicle.plate : "—"), h("td", {}, insurer(p.vehicle?.insurerCode)),
      h("td", {}, p.vehicle?.policyNo || "—")))));
}

function timeline(view) {
  return [...view.timeline].reverse().map((entry) =>
    h("li", {}, h("time", { datetime: entry.at }, when(entry.at)), entry.text));
}

const DOCUMENT = { LIABILITY_LETTER: "认定书", AGREEMENT: "协议书" };

/** A determination or a self-settlement alike: who carries what, who signed, and its current PDF. */
function liabilities(view, decision, signatures, documentKind, when_) {
  const label = (partyId) => view.parties.find((p) => p.partyId === partyId)?.label || partyId;
  const signature = (partyId) => {
    const signed = signatures[partyId];
    if (!signed) return "待签字";
    return signed.accept ? `已签字确认（${when(signed.at)}）` : `拒绝签字：${signed.reason || ""}`;
  };
  const atFault = decision.atFaultPartyId ? `　过错方：${label(decision.atFaultPartyId)}` : "";
  return [
    h("p", {}, `情形：${decision.scenarioLabel}${atFault}　${when_(label)}`),
    h("p", {}, `事故事实：${decision.facts}`),
    h("table", { className: "liabilities" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "当事人"), h("th", { scope: "col" }, "责任"), h("th", { scope: "col" }, "签字"))),
      h("tbody", {}, Object.entries(decision.liabilities).map(([partyId, value]) =>
        h("tr", { "data-party": partyId }, h("td", {}, label(partyId)), h("td", {}, LIABILITY[value] || value),
          h("td", { "data-signature": "" }, signature(partyId)))))),
    h("ul", {}, view.documents.filter((doc) => doc.current && doc.kind === documentKind).map((doc) =>
      h("li", {}, h("button", {
        type: "button", className: "button secondary", "data-document": doc.documentId,
        onclick: () => openDocument(view.caseId, doc.documentId).catch((error) => showError(errorLine, error)),
      }, `打开${DOCUMENT[doc.kind]}（${doc.number}，PDF）`)))),
  ];
}

const result = (view) => liabilities(view, view.determination, view.signatures, "LIABILITY_LETTER",
  () => `认定时间：${when(view.determination.determinedAt)}`);
const agreement = (view) => liabilities(view, view.agreement, view.agreement.signatures, "AGREEMENT",
  (label) => `由${label(view.agreement.proposedBy)}于 ${when(view.agreement.proposedAt)} 提出`);

/** A card shown once its part of the case exists, drawn again only when that part changed. */
function showPart(id, part, key, draw) {
  document.getElementById(id).hidden = !part;
  if (part) renderOnChange(section(id), JSON.stringify(key), draw);
}

async function showAudit() {
  const audit = await getJson(`/cases/${encodeURIComponent(caseId)}/audit`);
  const check = audit.verification;
  const line = document.querySelector("#audit .body");
  line.replaceChildren(check.valid
    ? h("span", { className: "ok", "data-valid": "true" }, `完整有效：${check.entries} 条记录，哈希链逐条校验通过。`)
    : h("span", { className: "bad", "data-valid": "false" },
      `校验失败：第 ${check.brokenAt} 条记录${check.reason ? `（${check.reason}）` : ""}，请报告值班领导。`));
}

let formShown = false;

async function refresh(session) {
  const view = await getJson(`/cases/${encodeURIComponent(caseId)}`);
  document.getElementById("status").textContent = STATUS[view.status] || view.status;
  renderOnChange(document.querySelector("#summary .facts"), view.version + view.status, () => summary(view));
  const insurers = await namesOf("/insurers");
  renderOnChange(section("parties"), JSON.stringify(view.parties), () => parties(view, insurers));
  renderOnChange(document.querySelector("#evidence .shots"), JSON.stringify(view.evidence.items.map((i) => [i.evidenceId, i.status])),
    () => shotList(view));
  renderOnChange(document.querySelector("#timeline .timeline"), JSON.stringify(view.timeline), () => timeline(view));
  showPart("result", view.determination, [view.determination, view.signatures, view.documents], () => result(view));
  showPart("agreement", view.agreement, [view.agreement, view.documents], () => agreement(view));
  const form = document.getElementById("determine");
  const open = session.role === "officer" && view.status === "AWAITING_DETERMINATION";
  form.hidden = !open;
  if (open && !formShown) {
    formShown = true;
    section("determine").replaceChildren(await determinationForm(view, () => {
      formShown = false;
      refresh(session).then(showAudit);
    }));
  }
}

const session = openPage(["officer", "supervisor", "dispatcher"]);
if (session) {
  document.getElementById("case-id").textContent = caseId;
  document.title = `云车通 · 案件 ${caseId}`;
  showAudit().catch((error) => showError(errorLine, error));
  every(REFRESH_SECONDS, async () => {
    try {
      await refresh(session);
      errorLine.textContent = "";
    } catch (error) {
      showError(errorLine, error);
    }
  });
}
