// The officer's determination (or the parties' own agreement): liability in words, the PDF, and
// the party's signature or refusal with a reason; the self-settlement path when the API offers it.
import { documentButton } from "./documents.js";
import { h, when } from "./dom.js";
import { LIABILITY } from "./texts.js";

function liabilityList(view, liabilities) {
  return h("ul", { className: "liabilities" },
    view.parties.map((party) => h("li", {},
      h("span", {}, [party.label, party.vehicle && party.vehicle.plate].filter(Boolean).join(" ")),
      h("strong", {}, LIABILITY[liabilities[party.partyId]] || liabilities[party.partyId] || "—"))));
}

function currentDocument(api, view, kind, label) {
  const current = view.documents.filter((d) => d.current && d.kind === kind).pop();
  return current ? documentButton(api, view.caseId, current.documentId, label) : null;
}

/** The party's own sentence inside our brackets: its closing stop would double ours ("。）。"). */
function withoutEndStop(text) {
  return (text || "").replace(/[\s。．.！!；;，,]+$/u, "");
}

function signForm(api, view, me, signatures, onChange) {
  const mine = signatures[me];
  if (mine) {
    return h("p", { className: "signed", "data-signed": mine.accept ? "accept" : "refuse" },
      mine.accept ? `您已于 ${when(mine.at)} 签字确认。` : `您已拒绝签字（理由：${withoutEndStop(mine.reason) || "未填写"}）。`);
  }
  const reason = h("textarea", { name: "reason", rows: "3", maxlength: "500", placeholder: "如不同意，请写明理由" });
  const error = h("p", { className: "error", role: "alert" });
  async function answer(accept) {
    if (!accept && reason.value.trim().length < 2) {
      error.textContent = "拒绝签字时请写明理由。";
      return;
    }
    try {
      await api.post(`/cases/${encodeURIComponent(view.caseId)}/parties/${encodeURIComponent(me)}/sign`,
        accept ? { accept: true } : { accept: false, reason: reason.value.trim() });
      onChange();
    } catch (failure) {
      error.textContent = `未能提交：${failure.message}`;
    }
  }
  return h("div", { className: "sign" },
    h("button", { type: "button", className: "button", "data-action": "sign", onclick: () => answer(true) }, "同意并签字"),
    h("details", {}, h("summary", {}, "不同意"), reason,
      h("button", { type: "button", className: "button danger", "data-action": "refuse", onclick: () => answer(false) }, "拒绝签字")),
    error);
}

function agreementForm(api, view, me, onChange) {
  const scenario = h("select", { name: "scenario" }, h("option", { value: "" }, "选择事故情形…"));
  api.get("/scenarios").then((catalogue) => {
    for (const item of catalogue.scenarios) {
      scenario.append(h("option", { value: item.code, "data-suggested": item.suggestedLiability }, `${item.label}：${item.description}`));
    }
  }).catch(() => {});
  const atFault = h("select", { name: "atFault" }, h("option", { value: "" }, "选择过错方…"), // nobody chosen for the party
    view.parties.map((p) => h("option", { value: p.partyId }, `过错方：${p.label}${p.partyId === me ? "（我）" : ""}`)));
  const facts = h("textarea", { name: "facts", rows: "3", maxlength: "2000", placeholder: "简述经过，例如：甲车追尾乙车。" });
  const error = h("p", { className: "error", role: "alert" });
  async function propose() {
    const chosen = scenario.selectedOptions[0];
    if (!chosen || !chosen.value) {
      error.textContent = "请选择事故情形。";
      return;
    }
    const equal = chosen.dataset.suggested === "ALL_EQUAL";
    if (!equal && !atFault.value) {
      error.textContent = "请选择过错方。";
      return;
    }
    const liabilities = Object.fromEntries(view.parties.map((p) => [p.partyId, equal ? "EQUAL" : p.partyId === atFault.value ? "FULL" : "NONE"]));
    try {
      await api.post(`/cases/${encodeURIComponent(view.caseId)}/agreement`, {
        scenario: chosen.value, atFaultPartyId: equal ? undefined : atFault.value, liabilities, facts: facts.value.trim(),
      });
      onChange();
    } catch (failure) {
      error.textContent = `未能提交：${failure.message}`;
    }
  }
  return h("details", { className: "settle" }, h("summary", {}, "与对方自行协商（无需等待民警）"),
    h("p", { className: "hint" }, "各方签字后协议生效；任何一方不同意，可改由民警认定。"),
    scenario, atFault, facts,
    h("button", { type: "button", className: "button secondary", onclick: propose }, "提交协商协议"), error);
}

/** What the decision section shows now (nothing before a determination or an agreement path). */
export function decisionParts({ api, view, me, onChange }) {
  const parts = [];
  if (view.determination) {
    const d = view.determination;
    parts.push(h("h2", {}, "责任认定"),
      h("p", { className: "scenario" }, d.scenarioLabel),
      liabilityList(view, d.liabilities),
      h("p", { className: "facts" }, d.facts),
      h("p", { className: "hint" }, `认定民警 ${d.officerBadge} · ${when(d.determinedAt)}`),
      currentDocument(api, view, "LIABILITY_LETTER", "查看认定书（PDF）"));
    if (view.status === "DETERMINED" || view.signatures[me]) parts.push(signForm(api, view, me, view.signatures, onChange));
  } else if (view.agreement) {
    const a = view.agreement;
    parts.push(h("h2", {}, "自行协商协议"), h("p", { className: "scenario" }, a.scenarioLabel),
      liabilityList(view, a.liabilities), h("p", { className: "facts" }, a.facts),
      currentDocument(api, view, "AGREEMENT", "查看协议书（PDF）"));
    if (view.status === "AGREEMENT_PROPOSED" || a.signatures[me]) parts.push(signForm(api, view, me, a.signatures, onChange));
    if (view.status === "AGREEMENT_PROPOSED") {
      parts.push(h("button", { type: "button", className: "button secondary", onclick: async () => {
        await api.post(`/cases/${encodeURIComponent(view.caseId)}/determination-request`);
        onChange();
      } }, "不协商了，请民警认定"));
    }
  } else if (view.status === "AWAITING_DETERMINATION" && view.eligibility.selfSettlementAllowed) {
    parts.push(h("h2", {}, "责任认定"), h("p", {}, "民警正在远程认定责任，结果将显示在这里。"), agreementForm(api, view, me, onChange));
  }
  return parts.filter(Boolean);
}
