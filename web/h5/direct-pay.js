// The injured party's direct-pay QR code (急诊直赔): shown on this page for the hospital's scanner,
// with the hospital, the time it is valid until and the 急诊直赔通知书. The API answers only her
// (the other party reads no application); the code is drawn by the API and fetched with her token,
// never put in a URL.
import { documentButton } from "./documents.js";
import { h, renderOnChange, when } from "./dom.js";

const SHOWN = new Set(["APPROVED", "ADMITTED"]);

function showable(application, now) {
  return SHOWN.has(application.status) && application.qrToken && application.qrExpiresAt
    && new Date(application.qrExpiresAt).getTime() > now;
}

export function createDirectPay({ container, api, caseId }) {
  const casePath = `/cases/${encodeURIComponent(caseId)}`;
  let readAt = null; // the case version the applications were last read at
  let applications = [];
  let hospitals = null;
  let picture = null; // { key, url } of the drawn code

  async function hospitalName(code) {
    if (!hospitals) hospitals = (await api.get("/hospitals")).items;
    const found = hospitals.find((item) => item.code === code);
    return found ? found.name : code;
  }

  async function drawn(application) {
    const key = `${application.applicationId}:${application.qrExpiresAt}`;
    if (!picture || picture.key !== key) {
      const image = await api.blob(`${casePath}/medical/${encodeURIComponent(application.applicationId)}/qr`);
      if (picture) URL.revokeObjectURL(picture.url);
      picture = { key, url: URL.createObjectURL(image) };
    }
    return picture.url;
  }

  async function render(view) {
    const issued = view.injuries && view.documents.some((d) => d.kind === "DIRECT_PAY_NOTICE");
    if (issued && readAt !== view.version) {
      applications = (await api.get(`${casePath}/medical`)).applications;
      readAt = view.version;
    }
    const application = issued ? applications.filter((a) => showable(a, Date.now())).pop() : null;
    if (!application) {
      renderOnChange(container, "", () => []);
      container.hidden = true;
      return;
    }
    const [hospital, url] = [await hospitalName(application.hospitalCode), await drawn(application)];
    renderOnChange(container, JSON.stringify([application.applicationId, application.status, application.qrExpiresAt, url]), () => [
      h("h2", {}, "急诊直赔"),
      h("p", {}, `请到${hospital}就诊，向医院出示此二维码，扫码后即可先救治、由保险公司直接向医院支付抢救费用。`),
      h("img", { className: "direct-pay-qr", src: url, alt: "急诊直赔二维码", width: "280", height: "280" }),
      h("dl", { className: "direct-pay-facts" },
        h("dt", {}, "定点医院"), h("dd", { "data-field": "hospital" }, hospital),
        h("dt", {}, "有效期至"), h("dd", { "data-field": "valid-until" }, `${when(application.qrExpiresAt)}（北京时间）`)),
      h("p", { className: "hint" }, "二维码仅限该医院扫码使用一次，请勿转发或截图给他人。"),
      application.noticeDocumentId
        ? documentButton(api, caseId, application.noticeDocumentId, "下载《急诊直赔通知书》（PDF）") : null,
    ]);
    container.hidden = false;
  }

  return { render };
}
