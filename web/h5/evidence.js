// The evidence checklist: one card per required shot, each with its sketch, the camera, a
// progress bar and a tick. Cards are kept by slot so polling never disturbs an upload.
import { ApiError, NetworkError } from "./api.js";
import { h, position } from "./dom.js";
import { sketch } from "./sketches.js";
import { forget, keep, pending } from "./shots.js";
import { SHOT } from "./texts.js";
import { send, sha256Hex } from "./upload.js";

const slotKey = (kind, partyId) => `${kind}:${partyId || ""}`;

export function createEvidence({ container, api, caseId, onChange }) {
  const cards = new Map();
  let scene = null;
  let located = null;
  let busy = false;

  function card(item, vehicleName) {
    const key = slotKey(item.kind, item.partyId);
    if (cards.has(key)) return cards.get(key);
    const input = h("input", { type: "file", accept: "image/*", capture: "environment", className: "camera", "data-slot": key });
    const progress = h("progress", { max: "1", value: "0", hidden: true });
    const state = h("p", { className: "shot-state" });
    const tick = h("span", { className: "tick", "aria-hidden": "true" }, "✓");
    const title = h("h3", {}, item.label, vehicleName ? h("small", {}, ` · ${vehicleName}`) : null);
    const button = h("label", { className: "button camera-button" }, "拍照", input);
    const element = h("li", { className: "shot", "data-kind": item.kind, "data-party": item.partyId || "" });
    const art = h("div", { className: "sketch-box" });
    art.innerHTML = sketch(item.kind); // our own drawing, no API data
    element.append(art, h("div", { className: "shot-body" }, title, state, progress, button), tick);
    input.addEventListener("change", () => {
      if (input.files && input.files[0]) take(item, input.files[0]);
      input.value = "";
    });
    const entry = { element, state, progress, button, item };
    cards.set(key, entry);
    return entry;
  }

  function show(key, stage, fraction, reason) {
    const entry = cards.get(key);
    if (!entry) return;
    entry.element.dataset.stage = stage;
    entry.state.textContent = reason || SHOT[stage] || "";
    entry.progress.hidden = stage !== "uploading" && stage !== "verifying";
    if (fraction !== undefined) entry.progress.value = fraction;
  }

  async function take(item, file) {
    const key = slotKey(item.kind, item.partyId);
    show(key, "hashing");
    const takenAt = new Date().toISOString();
    if (!located) located = (await position()) || scene; // the scene's reported position when the phone will not say
    const shot = {
      id: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`,
      caseId, kind: item.kind, partyId: item.partyId || null,
      blob: file, contentType: file.type || "image/jpeg", size: file.size,
      sha256: await sha256Hex(file), takenAt, lat: located.lat, lng: located.lng,
    };
    await keep(shot);
    await flush();
  }

  /** Send every kept shot of this case, oldest first; stop at the first network failure. */
  async function flush() {
    if (busy) return;
    busy = true;
    try {
      for (const shot of await pending(caseId)) {
        const key = slotKey(shot.kind, shot.partyId);
        try {
          const done = await send(api, shot, (stage, fraction) => show(key, stage, fraction));
          show(key, "done", 1);
          onChange(done);
        } catch (error) {
          if (error instanceof NetworkError || !navigator.onLine) {
            show(key, "waiting");
            break;
          }
          if (error instanceof ApiError && !error.code && !shot.uploaded) {
            // The storage refused the PUT (its link lapsed): ask for a new link on the next try.
            delete shot.evidenceId;
            delete shot.upload;
            await keep(shot);
          } else {
            await forget(shot.id); // the API refused the shot itself: the party takes it again
          }
          show(key, "failed", undefined, error.userMessage); // e.g. 文件不是照片，请重新拍摄上传
          console.warn("shot not sent", error.code || error.message);
        }
      }
    } finally {
      busy = false;
    }
  }

  function render(view) {
    scene = { lat: view.location.lat, lng: view.location.lng };
    const names = new Map(view.parties.map((p) => [p.partyId, [p.label, p.vehicle && p.vehicle.plate].filter(Boolean).join(" ")]));
    const open = view.status === "EVIDENCE_PENDING";
    const list = view.evidence.checklist.map((item) => {
      const entry = card(item, item.partyId ? names.get(item.partyId) : "");
      const verified = item.status === "VERIFIED";
      entry.element.classList.toggle("verified", verified);
      entry.button.hidden = verified || !open;
      const stage = entry.element.dataset.stage;
      if (verified) show(slotKey(item.kind, item.partyId), "done", 1);
      else if (!stage || stage === "done") show(slotKey(item.kind, item.partyId), "idle");
      return entry.element;
    });
    const done = view.evidence.checklist.filter((i) => i.status === "VERIFIED").length;
    container.querySelector(".count").textContent = `${done}/${view.evidence.checklist.length}`;
    container.querySelector("ul").replaceChildren(...list);
  }

  return { render, flush };
}
