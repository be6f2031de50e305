// The determination form: the scenario catalogue in force, the suggested liabilities as the officer
// chooses, the facts; on submit the letter is issued and opened.
import { h } from "/h5/dom.js";
import { getJson, postJson } from "./api.js";
import { LIABILITY, SUGGESTION } from "./texts.js";

/** Each party's liability as the scenario suggests it (the API applies the same rule). */
function suggested(scenario, atFault, parties) {
  if (!scenario) return [];
  return parties.map((party) => {
    if (scenario.suggestedLiability === "ALL_EQUAL") return [party, "EQUAL"];
    if (!atFault) return [party, null];
    return [party, party.partyId === atFault ? "FULL" : "NONE"];
  });
}

/** Open a document's PDF in a new tab: the link is presigned and short-lived, so asked for on click. */
export async function openDocument(caseId, documentId) {
  const tab = window.open("", "_blank");
  const link = await getJson(`/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}`);
  if (tab) {
    tab.opener = null;
    tab.location.href = link.url;
  } else {
    location.assign(link.url);
  }
}

export async function determinationForm(view, onDone) {
  const catalogue = await getJson("/scenarios");
  const errorLine = h("p", { className: "error", role: "alert" });
  const preview = h("div", { className: "suggested", "aria-live": "polite" });
  const scenarioSelect = h("select", { id: "scenario", name: "scenario", required: true },
    h("option", { value: "" }, "请选择事故情形"),
    catalogue.scenarios.map((s) => h("option", { value: s.code }, `${s.label}：${s.description}`)));
  const faultSelect = h("select", { id: "at-fault", name: "atFaultPartyId" },
    h("option", { value: "" }, "请选择过错方"),
    view.parties.map((p) => h("option", { value: p.partyId }, `${p.label} ${p.name}${p.vehicle ? ` ${p.vehicle.plate}` : ""}`)));
  const facts = h("textarea", { id: "facts", name: "facts", required: true, minlength: "4", maxlength: "2000" });
  const submit = h("button", { type: "submit", className: "button" }, "作出认定并出具认定书");

  const refresh = () => {
    const scenario = catalogue.scenarios.find((s) => s.code === scenarioSelect.value);
    const rows = suggested(scenario, faultSelect.value, view.parties);
    preview.replaceChildren(
      h("strong", {}, "建议责任："),
      scenario ? h("span", {}, SUGGESTION[scenario.suggestedLiability] || scenario.suggestedLiability) : h("span", {}, "选择情形后显示"),
      h("ul", { className: "liabilities" }, rows.map(([party, value]) =>
        h("li", {}, `${party.label} ${party.name}：${value ? LIABILITY[value] : "待选择过错方"}`))),
    );
  };
  scenarioSelect.addEventListener("change", refresh);
  faultSelect.addEventListener("change", refresh);
  refresh();

  const form = h("form", { className: "stack", "aria-describedby": "determine-title" },
    h("p", { className: "hint" }, `适用目录：${catalogue.province} ${catalogue.version}`),
    h("label", { for: "scenario" }, "事故情形"), scenarioSelect,
    h("label", { for: "at-fault" }, "过错方"), faultSelect,
    preview,
    h("label", { for: "facts" }, "事故事实"), facts,
    errorLine,
    h("div", { className: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    const scenario = catalogue.scenarios.find((s) => s.code === scenarioSelect.value);
    if (scenario && scenario.suggestedLiability === "AT_FAULT_FULL" && !faultSelect.value) {
      errorLine.textContent = "请选择过错方。";
      return;
    }
    submit.disabled = true;
    try {
      const body = { scenario: scenarioSelect.value, facts: facts.value };
      if (faultSelect.value) body.atFaultPartyId = faultSelect.value;
      const determined = await postJson(`/cases/${encodeURIComponent(view.caseId)}/determination`, body);
      onDone(determined);
    } catch (error) {
      errorLine.textContent = `认定失败：${error.message}`;
      submit.disabled = false;
    }
  });
  return form;
}
