// The officer's queue: cases of the jurisdiction awaiting determination, minutes waited, polled live.
import { h, renderOnChange, when } from "/h5/dom.js";
import { every, getJson } from "./api.js";
import { openPage, showError } from "./chrome.js";
import { CHANNEL } from "./texts.js";

const REFRESH_SECONDS = 5;
const LONG_WAIT_MINUTES = 30; // shown in red: a party has waited half an hour for a decision

function row(entry) {
  return h("tr", { "data-case": entry.caseId },
    h("td", {}, h("a", { href: `/portal/cases/${encodeURIComponent(entry.caseId)}` }, entry.caseId)),
    h("td", {}, when(entry.occurredAt)),
    h("td", {}, entry.address),
    h("td", { className: entry.minutesWaited >= LONG_WAIT_MINUTES ? "number waited-long" : "number", "data-waited": "" },
      String(entry.minutesWaited)),
    h("td", {}, CHANNEL[entry.channel] || entry.channel),
    h("td", {}, entry.injuries ? "有" : "无"),
    h("td", { className: "number" }, String(entry.partyCount)),
  );
}

/** The unit in words: the police unit covering the officer's jurisdiction, with its code. */
async function unitName(code) {
  const unit = await getJson("/portal/rescue/area");
  return unit.code === code ? `${unit.name}（${code}）` : `${unit.name}所辖 ${code}`;
}

const session = openPage(["officer"]);
if (session) {
  let unit = null;
  const body = document.querySelector("#queue tbody");
  const meta = document.getElementById("queue-meta");
  const errorLine = document.getElementById("error");
  every(REFRESH_SECONDS, async () => {
    try {
      const queue = await getJson("/portal/queue");
      unit ??= await unitName(queue.jurisdiction).catch(() => null); // asked again next time
      renderOnChange(body, JSON.stringify(queue.cases), () => queue.cases.map(row));
      document.getElementById("empty").hidden = queue.cases.length > 0;
      meta.textContent = `辖区 ${unit || queue.jurisdiction} · 共 ${queue.cases.length} 起 · 每 ${REFRESH_SECONDS} 秒自动刷新 · 更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
      errorLine.textContent = "";
    } catch (error) {
      showError(errorLine, error);
    }
  });
}
