// The hospital's direct-pay desk: scan the patient's QR code with the camera (jsQR, vendored) or
// paste it, admit the patient, then post the bills (yuan typed, integer fen sent).
import { h, when } from "/h5/dom.js";
import { api, NetworkError, sessionFor } from "/shared/staff_api.js";
import { signOut } from "/shared/session.js";
import { fenOf, yuan } from "./money.js";

// The open admission's id survives a reload of the tab; its facts (the patient's name) are read
// again from the API rather than kept on the tablet.
const ADMISSION_KEY = "ycht.hospital.admissionId";
// The API's refusals of a code, in words a nurse can act on.
const REFUSALS = {
  QrForged: "二维码无效：不是本系统签发的直赔二维码，或内容被改动过。请患者出示短信或《急诊直赔通知书》上的原始二维码。",
  QrExpired: "二维码已过期：请患者联系处理事故的民警重新申请急诊直赔。",
  QrWrongHospital: "此二维码指定的是其他医院，本院不能使用。请患者前往通知书上写明的医院，或联系民警更改。",
  QrAlreadyRedeemed: "此二维码已经扫过（患者已接诊），不能重复使用。如需继续录入费用，请在下方“本院在院患者”中点选该患者。",
  NotFound: "找不到二维码对应的直赔申请，请联系处理事故的民警。",
  ValidationFailed: "二维码内容不完整，请重新扫描或完整粘贴。",
};
const BILL_REFUSALS = {
  Conflict: "这次就诊已不能再录入费用（直赔期限已过或已结算）。",
  ValidationFailed: "费用有误：",
};

const session = sessionFor(["hospital"]);
const refusal = document.getElementById("refusal");
const cameraState = document.getElementById("camera-state");
const video = document.getElementById("video");
const rows = document.getElementById("bill-rows");
let stream = null;
let current = null; // the admission shown
let moreToken = null; // the next page of open admissions

function said(failure, words) {
  if (failure instanceof NetworkError) return "网络连接失败，请检查网络后重试。";
  const known = words[failure.code];
  if (known && known.endsWith("：")) return `${known}${failure.message}`;
  return known || `操作未成功：${failure.message}`;
}

function stopCamera() {
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  document.getElementById("scanner").hidden = true;
}

async function admit(token) {
  refusal.textContent = "";
  try {
    showAdmission(await api.post("/hospital/scan", { token: token.trim() }));
  } catch (failure) {
    refusal.textContent = said(failure, REFUSALS);
    refusal.dataset.code = failure.code || "";
  }
}

/** Look for a QR code in each video frame until one is read (or the camera is closed). */
function watchFrames() {
  const canvas = document.createElement("canvas");
  const drawing = canvas.getContext("2d", { willReadFrequently: true });
  const look = () => {
    if (!stream) return;
    if (video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      drawing.drawImage(video, 0, 0);
      const frame = drawing.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        stopCamera();
        cameraState.textContent = "已识别二维码，正在核验…";
        document.querySelector("#paste textarea").value = code.data;
        admit(code.data);
        return;
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

async function openCamera() {
  refusal.textContent = "";
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
    cameraState.textContent = "此浏览器无法使用摄像头扫码，请粘贴二维码内容。";
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    cameraState.textContent = "未获得摄像头权限，请在浏览器设置中允许使用摄像头，或粘贴二维码内容。";
    return;
  }
  video.srcObject = stream;
  document.getElementById("scanner").hidden = false;
  cameraState.textContent = "请将二维码置于画面中央…";
  await video.play();
  watchFrames();
}

function billRow() {
  return h("div", { className: "bill-row" },
    h("label", {}, "项目", h("input", { name: "name", className: "field", maxlength: "100", placeholder: "如：急诊诊查费" })),
    h("label", {}, "金额（元）", h("input", { name: "yuan", className: "field", inputmode: "decimal", placeholder: "如：25.00" })));
}

function readBills() {
  const items = [];
  const problems = [];
  for (const [index, row] of [...rows.children].entries()) {
    const name = row.querySelector("[name=name]").value.trim();
    const typed = row.querySelector("[name=yuan]").value.trim();
    if (!name && !typed) continue;
    const amount = fenOf(typed);
    if (!name) problems.push(`第 ${index + 1} 项没有填写项目名称`);
    if (amount === null) problems.push(`第 ${index + 1} 项金额“${typed}”不是有效的元金额（最多两位小数，大于 0）`);
    items.push({ name, amount });
  }
  if (!items.length) problems.push("请至少填写一项费用");
  return { items, problems };
}

function showTotal() {
  const { items } = readBills();
  const total = items.reduce((sum, item) => sum + (item.amount || 0), 0);
  document.getElementById("bill-total").textContent = total ? `合计 ${yuan(total)}` : "";
}

function showPosted(view) {
  const table = h("table", { className: "bills" },
    h("thead", {}, h("tr", {}, h("th", {}, "项目"), h("th", {}, "金额"), h("th", {}, "时间"))),
    h("tbody", {}, ...view.bills.map((bill) => h("tr", {}, h("td", {}, bill.name), h("td", { className: "money" }, yuan(bill.amount)),
      h("td", {}, when(bill.serviceDate))))));
  document.getElementById("posted").replaceChildren(
    h("p", { className: "ok", "data-billed": view.billed }, `已提交，累计费用 ${yuan(view.billed)}；直赔范围内 ${yuan(view.directPayWindow)}`), table);
}

function payers(admission) {
  return admission.insurers.length ? admission.insurers.join("、") : "无交强险可赔，由道路交通事故社会救助基金垫付";
}

function showAdmission(admission) {
  current = admission;
  sessionStorage.setItem(ADMISSION_KEY, admission.admissionId);
  document.getElementById("scan").hidden = true;
  document.getElementById("open").hidden = true;
  document.getElementById("admission").hidden = false;
  const fact = (term, value) => [h("dt", {}, term), h("dd", {}, value)];
  const facts = document.getElementById("admission-facts");
  facts.dataset.admission = admission.admissionId;
  facts.replaceChildren(
    ...fact("患者姓名", admission.patientName), ...fact("案件编号", admission.caseId),
    ...fact("伤情", admission.injuryDescription), ...fact("赔付保险公司", payers(admission)),
    ...fact("就诊号", admission.admissionId), ...fact("接诊时间", when(admission.admittedAt)),
    ...fact("直赔截止", when(admission.directPayUntil)), ...fact("费用覆盖至", when(admission.coveredUntil)));
  rows.replaceChildren(billRow());
}

function admissionLine(admission) {
  return h("li", {}, h("button", { type: "button", className: "admission-line", "data-admission": admission.admissionId,
    onclick: () => showAdmission(admission) },
  h("span", { className: "patient" }, admission.patientName),
  h("span", { className: "hint" }, `案件 ${admission.caseId} · 接诊 ${when(admission.admittedAt)} · 费用覆盖至 ${when(admission.coveredUntil)}`)));
}

/** This hospital's admissions still open for bills, newest first; `more` appends the next page. */
async function listOpen(more = false) {
  const list = document.getElementById("open-admissions");
  const state = document.getElementById("open-state");
  const moreButton = document.querySelector("[data-action=more-admissions]");
  if (!more) { list.replaceChildren(); moreToken = null; }
  state.textContent = "正在读取…";
  try {
    const query = moreToken ? `?nextToken=${encodeURIComponent(moreToken)}` : "";
    const page = await api.get(`/hospital/admissions${query}`);
    list.append(...page.items.map(admissionLine));
    moreToken = page.nextToken || null;
    moreButton.hidden = !moreToken;
    state.textContent = list.children.length ? "" : "暂无仍在费用覆盖期内的患者。";
  } catch (failure) {
    state.textContent = said(failure, {});
  }
}

async function postBills(event) {
  event.preventDefault();
  const errorLine = document.getElementById("bill-error");
  const { items, problems } = readBills();
  errorLine.textContent = problems.join("；");
  if (problems.length) return;
  event.submitter.disabled = true;
  try {
    const view = await api.post(`/hospital/admissions/${encodeURIComponent(current.admissionId)}/bills`, { items });
    rows.replaceChildren(billRow());
    showTotal();
    showPosted(view);
  } catch (failure) {
    errorLine.textContent = said(failure, BILL_REFUSALS);
  } finally {
    event.submitter.disabled = false;
  }
}

function nextPatient() {
  sessionStorage.removeItem(ADMISSION_KEY);
  current = null;
  document.getElementById("admission").hidden = true;
  document.getElementById("posted").replaceChildren();
  document.getElementById("bill-error").textContent = "";
  document.getElementById("scan").hidden = false;
  document.getElementById("open").hidden = false;
  document.querySelector("#paste textarea").value = "";
  cameraState.textContent = "";
  listOpen();
}

async function reopen(admissionId) {
  try {
    showAdmission(await api.get(`/hospital/admissions/${encodeURIComponent(admissionId)}`));
  } catch (failure) {
    sessionStorage.removeItem(ADMISSION_KEY);
    refusal.textContent = `未能打开上次的就诊记录：${said(failure, {})}`;
    listOpen();
  }
}

if (session) {
  document.getElementById("hospital").textContent = session.name || session.org || "";
  document.getElementById("sign-out").addEventListener("click", () => { stopCamera(); signOut(); });
  document.querySelector("[data-action=camera]").addEventListener("click", openCamera);
  document.getElementById("paste").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = event.currentTarget.elements.token.value;
    if (token.trim()) admit(token);
    else refusal.textContent = "请先扫描患者的二维码，或将二维码内容粘贴到上面的输入框中，再点“核验并接诊”。";
  });
  document.querySelector("[data-action=more-admissions]").addEventListener("click", () => listOpen(true));
  document.querySelector("[data-action=add-row]").addEventListener("click", () => rows.append(billRow()));
  document.querySelector("[data-action=next-patient]").addEventListener("click", nextPatient);
  document.getElementById("bills").addEventListener("submit", postBills);
  document.getElementById("bills").addEventListener("input", showTotal);
  const open = sessionStorage.getItem(ADMISSION_KEY);
  if (open) reopen(open);
  else listOpen();
}
