// The supervisor's reports section: today's figures so far and a day or month report with its files
// (GET /portal/reports/live and GET /portal/reports, issue 15).
import { h, when } from "/h5/dom.js";
import { getJson } from "./api.js";

// The headline figures, in the order a supervisor reads them.
const COUNTS = [
  ["casesReported", "报警案件"], ["casesRemote", "远程处理"], ["casesOnScene", "现场处理"], ["lettersIssued", "出具认定书"],
  ["agreementsSigned", "自行协商"], ["disputed", "有异议"], ["claimsReported", "理赔报案"], ["claimsOverdue", "理赔超期"],
  ["rescueOrders", "救援派单"], ["rescueEscalated", "救援升级"], ["directPayPatients", "医疗直赔人数"],
];
const TIMES = [["minutesEvidence", "取证用时"], ["minutesToLetter", "出具认定书用时"], ["minutesToArrive", "救援到达用时"]];
const YUAN = [["insurerPaidFen", "保险公司赔付"], ["fundAdvancedFen", "救助基金垫付"]];

const minutes = (value) => (value === null || value === undefined ? "—" : `${value} 分钟`);

export function figureCards(figures) {
  const card = (name, value, key) => h("div", { className: "figure", "data-figure": key },
    h("div", { className: "value" }, value), h("div", { className: "name" }, name));
  return [
    ...COUNTS.map(([key, name]) => card(name, String(figures[key] ?? 0), key)),
    ...YUAN.map(([key, name]) => card(name, `¥${((figures[key] ?? 0) / 100).toFixed(2)}`, key)),
    ...TIMES.map(([key, name]) => {
      const spread = figures[key] || {};
      return card(`${name}（中位数 / 90%，${spread.count ?? 0} 件）`, `${minutes(spread.median)} / ${minutes(spread.p90)}`, key);
    }),
  ];
}

export async function showLive() {
  const live = await getJson("/portal/reports/live");
  document.getElementById("live").replaceChildren(...figureCards(live.figures));
}

export function reportPicker() {
  const form = document.getElementById("report-picker");
  const errorLine = document.getElementById("report-error");
  const dateField = form.elements.date;
  const monthField = form.elements.month;
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  dateField.value = today;
  monthField.value = today.slice(0, 7);
  form.elements.period.addEventListener("change", () => {
    const month = form.elements.period.value === "MONTH";
    dateField.parentElement.hidden = month;
    monthField.parentElement.hidden = !month;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errorLine.textContent = "";
    const shown = document.getElementById("report");
    shown.replaceChildren(); // the last period's report never stands under another period's answer
    const period = form.elements.period.value;
    const query = new URLSearchParams(period === "MONTH" ? { period, month: monthField.value } : { period, date: dateField.value });
    try {
      const report = await getJson(`/portal/reports?${query}`);
      shown.replaceChildren(
        h("p", {}, `${report.jurisdiction} · ${report.date || report.month} · 生成于 ${when(report.generatedAt)}`),
        h("div", { className: "figures" }, figureCards(report.figures)),
        h("ul", { className: "files" }, report.files.map((file) =>
          h("li", {}, h("a", { href: file.url, target: "_blank", rel: "noopener", "data-file": file.name }, file.name)))),
      );
    } catch (error) {
      errorLine.textContent = error.status === 404 ? "该时段的报表尚未生成。" : `查询失败：${error.message}`;
    }
  });
}
