// The case's shots for police: a thumbnail each from its presigned GET (fetched, then shown as a
// blob: URL so the page's CSP stays img-src 'self' blob:), GPS and time, opened large on click.
import { h, when } from "/h5/dom.js";
import { getJson } from "./api.js";

const viewer = document.getElementById("viewer");

async function picture(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

function open(title, source) {
  document.getElementById("viewer-title").textContent = title;
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
      caption.querySelector("[data-gps]").textContent = `位置：${shot.lat.toFixed(5)}, ${shot.lng.toFixed(5)}`;
      if (!shot.url) {
        thumb.textContent = "待核验";
        return;
      }
      const source = await picture(shot.url);
      thumb.replaceChildren(h("img", { src: source, alt: label }));
      thumb.disabled = false;
      thumb.addEventListener("click", () => open(label, source));
    })
    .catch(() => { thumb.textContent = "照片暂不可用"; });
  return h("li", { "data-evidence": item.evidenceId }, h("figure", {}, thumb, caption));
}

export function shotList(view) {
  const labels = new Map(view.evidence.checklist.filter((slot) => slot.evidenceId).map((slot) => [slot.evidenceId, slot.label]));
  const parties = new Map(view.parties.map((party) => [party.partyId, party.label]));
  return view.evidence.items.map((item) => {
    const label = labels.get(item.evidenceId) || `${parties.get(item.partyId) || ""}${item.kind}`;
    return figure(view.caseId, item, label);
  });
}
