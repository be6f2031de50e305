// The case's shots for police: a thumbnail each from its presigned GET (fetched, then shown as a
// blob: URL so the page's CSP stays img-src 'self' blob:), GPS and time, opened large on click with both.
import { h, when } from "/h5/dom.js";
import { getJson } from "./api.js";
import { EVIDENCE_KIND } from "./texts.js";

const viewer = document.getElementById("viewer");
const OLD_VERSION = "（旧版本）";

async function picture(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/** The moment to the second, in Beijing time whatever the workstation's zone. */
const beijing = (iso) => `${new Date(iso).toLocaleString("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  second: "2-digit", hour12: false })}（北京时间）`;
const place = (shot) => `${shot.lat.toFixed(5)}, ${shot.lng.toFixed(5)}`;

function open(title, source, item, shot) {
  document.getElementById("viewer-title").textContent = title;
  document.getElementById("viewer-captured").textContent = `拍摄时间：${beijing(item.capturedAt)}`;
  document.getElementById("viewer-gps").textContent = `拍摄位置：${place(shot)}（纬度, 经度）`;
  const image = document.getElementById("viewer-image");
  image.src = source;
  image.alt = title;
  viewer.showModal();
}

function figure(caseId, item, label) {
  const thumb = h("button", { type: "button", className: "thumb", "aria-label": `查看大图：${label}`, disabled: true });
  const caption = h("figcaption", {},
    h("strong", {}, label),
    h("div", { "data-captured": "" }, `拍摄：${when(item.capturedAt)}`),
    h("div", { "data-gps": "" }, "位置：…"),
    item.flags.map((flag) => h("div", { className: "flag" }, `⚠ ${flag.text}`)));
  getJson(`/cases/${encodeURIComponent(caseId)}/evidence/${encodeURIComponent(item.evidenceId)}`)
    .then(async (shot) => {
      caption.querySelector("[data-gps]").textContent = `位置：${place(shot)}`;
      if (!shot.url) {
        thumb.textContent = "待核验";
        return;
      }
      const source = await picture(shot.url);
      thumb.replaceChildren(h("img", { src: source, alt: label }));
      thumb.disabled = false;
      thumb.addEventListener("click", () => open(label, source, item, shot));
    })
    .catch(() => { thumb.textContent = "照片暂不可用"; });
  return h("li", { "data-evidence": item.evidenceId }, h("figure", {}, thumb, caption));
}

/** Every version in words: the checklist names the shot that counts for each slot; an earlier shot of
 * the same slot is the same photo taken before, marked as such; a shot of no slot is named by its kind. */
function labelOf(view, item) {
  const slot = view.evidence.checklist.find((s) => s.kind === item.kind && (s.partyId || null) === (item.partyId || null));
  if (slot) return slot.evidenceId === item.evidenceId ? slot.label : `${slot.label}${OLD_VERSION}`;
  const party = view.parties.find((p) => p.partyId === item.partyId)?.label || "";
  return `${party}${EVIDENCE_KIND[item.kind] || "照片"}`;
}

export function shotList(view) {
  return view.evidence.items.map((item) => figure(view.caseId, item, labelOf(view, item)));
}
