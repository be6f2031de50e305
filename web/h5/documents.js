// Opening a case document (PDF) in a new tab, keeping this page: its short-lived link is asked for
// on the tap, so the tab is opened first (inside the tap, where browsers allow it), then pointed there.
import { h } from "./dom.js";

export async function openDocument(api, caseId, documentId, button) {
  const tab = window.open("", "_blank");
  if (tab) tab.opener = null; // as rel=noopener: the PDF's tab cannot reach back into this page
  button.disabled = true;
  try {
    const link = await api.get(`/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}`);
    if (tab) {
      tab.location.replace(link.url);
    } else { // pop-ups blocked: a plain link the party taps herself
      button.after(h("a", { className: "document-link", href: link.url, target: "_blank", rel: "noopener" }, "点此打开文件"));
    }
  } catch (failure) {
    if (tab) tab.close();
    button.after(h("p", { className: "error", role: "alert" }, `未能打开文件：${failure.message}`));
  } finally {
    button.disabled = false;
  }
}

export function documentButton(api, caseId, documentId, label) {
  return h("button", {
    type: "button", className: "button secondary", "data-document": documentId,
    onclick: (event) => openDocument(api, caseId, documentId, event.currentTarget),
  }, label);
}
