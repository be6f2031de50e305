// The tow driver's page: the offer waiting for this truck (accept / decline), then the job it took
// (arrived, then completed at a repair shop), read again every few seconds.
import { h, position, renderOnChange, when } from "/h5/dom.js";
import { distanceMetres } from "/shared/geo.js";
import { api, every, NetworkError, sessionFor } from "/shared/staff_api.js";
import { signOut } from "/shared/session.js";

const POLL_MS = 3000;
const JOB_STATUS = { ASSIGNED: "已接单，请前往救援地点", ARRIVED: "已到达现场，请拖往维修厂" };

const session = sessionFor(["tow"]);
const jobCard = document.getElementById("job");
const errorLine = document.getElementById("error");
const offline = document.getElementById("offline");
let repairShops = null;
let busy = false; // a button's call is under way: the poll leaves the card alone
let delivered = null; // the job this driver just completed: confirmed above the empty state
// The party's page sends its phone's position as the address when nobody typed one: not an address.
const POSITION_ONLY = /^手机定位（[-\d.,\s]+）$/;

function km(metres) {
  return `${(metres / 1000).toFixed(1)} 公里`;
}

async function act(button, doing) {
  busy = true;
  button.disabled = true;
  errorLine.textContent = "";
  try {
    await doing();
    jobCard.dataset.shown = "";
  } catch (failure) {
    errorLine.textContent = `操作未成功：${failure.message}`;
    button.disabled = false;
  } finally {
    busy = false;
  }
  await refresh();
}

function navigationLink(pickup, name) {
  // AMap's marker page opens its app when installed (callnative); the phone's fix is WGS-84.
  const rest = new URLSearchParams({ name, coordinate: "wgs84", callnative: "1" });
  return h("a", { className: "big go nav", href: `https://uri.amap.com/marker?position=${pickup.lng},${pickup.lat}&${rest}`,
    target: "_blank", rel: "noopener noreferrer", "data-action": "navigate" }, "打开高德地图导航");
}

function pickupLines(pickup) {
  const address = (pickup.address || "").trim();
  const typed = address && !POSITION_ONLY.test(address);
  return [h("p", { className: "label" }, "救援地点"),
    h("p", { className: "address" }, typed ? address : "乘客未填写地址，请按导航前往定位点"),
    h("p", { className: "hint" }, `坐标 ${pickup.lat.toFixed(5)}, ${pickup.lng.toFixed(5)}`),
    navigationLink(pickup, typed ? address : "救援地点")];
}

function offerCard(offer) {
  return [
    h("h1", { className: "offer-title", "data-state": "offer" }, "新的救援派单"),
    ...pickupLines(offer.pickup),
    h("p", { className: "distance" }, `距您约 ${km(offer.distanceM)}`),
    h("p", { className: "hint" }, `请在 ${when(offer.expiresAt)} 前答复，超时将派给下一辆车`),
    h("button", { type: "button", className: "big go", "data-action": "accept",
      onclick: (e) => act(e.currentTarget, () => api.post(`/tow/orders/${offer.orderId}/accept`)) }, "接单"),
    h("button", { type: "button", className: "big quiet", "data-action": "decline",
      onclick: (e) => act(e.currentTarget, () => api.post(`/tow/orders/${offer.orderId}/decline`, { reason: "司机暂不能接单" })) },
    "拒绝"),
  ];
}

function shopPicker(order) {
  const select = h("select", { name: "dropoff", className: "big-select" },
    ...repairShops.map((shop) => h("option", { value: shop.code, selected: shop.code === order.destination }, shop.name)));
  return h("form", { className: "dropoff", onsubmit: (event) => {
    event.preventDefault();
    act(event.submitter, async () => {
      await api.post(`/tow/orders/${order.orderId}/completed`, { dropoff: select.value });
      delivered = { orderId: order.orderId, shop: select.selectedOptions[0].textContent, at: new Date().toISOString() };
    });
  } },
  h("label", {}, "送达的维修厂", select),
  h("button", { type: "submit", className: "big go", "data-action": "completed" }, "已送达维修厂"));
}

function jobCardFor(job) {
  const order = job.order;
  const lines = [h("h1", { "data-state": order.status }, JOB_STATUS[order.status] || order.status), ...pickupLines(order.pickup)];
  if (order.status === "ASSIGNED") {
    lines.push(h("p", { className: "distance" }, `距救援地点约 ${km(distanceMetres(job.truck, order.pickup))}`));
    if (order.eta) lines.push(h("p", { className: "hint" }, `请于 ${when(order.eta.arriveBy)} 前到达`));
    lines.push(h("button", { type: "button", className: "big go", "data-action": "arrived", onclick: (e) => act(e.currentTarget, async () => {
      const here = await position(5000);
      await api.post(`/tow/orders/${order.orderId}/arrived`, here || {});
    }) }, "已到达现场"));
  } else {
    lines.push(shopPicker(order));
  }
  return lines;
}

function idleCard(truck) {
  const words = { STANDBY: "待命中，有派单时会在这里出现", OFFLINE: "已下线，不会收到派单", OFFERED: "有派单待答复", BUSY: "执行任务中" };
  const done = delivered && h("div", { className: "ok", "data-state": "delivered" },
    h("p", {}, "✔ 救援已完成"), h("p", {}, `车辆已于 ${when(delivered.at)} 送达「${delivered.shop}」，辛苦了！`));
  return [done, h("h1", { "data-state": "idle" }, "暂无派单"), h("p", { className: "hint" }, words[truck.status] || truck.status)];
}

async function refresh() {
  if (busy) return;
  const [offers, job] = await Promise.all([api.get("/tow/offers"), api.get("/tow/job")]);
  if (busy) return;
  offline.hidden = true;
  document.getElementById("truck").textContent = `${job.truck.plate} · ${job.truck.truckId}`;
  if (job.order || offers.offers.length) delivered = null; // the next job replaces the confirmation
  if (job.order) {
    if (job.order.status === "ARRIVED" && repairShops === null) repairShops = (await api.get("/repair-shops")).items;
    renderOnChange(jobCard, `job:${job.order.orderId}:${job.order.status}`, () => jobCardFor(job));
  } else if (offers.offers.length) {
    renderOnChange(jobCard, `offer:${offers.offers[0].orderId}:${offers.offers[0].expiresAt}`, () => offerCard(offers.offers[0]));
  } else {
    renderOnChange(jobCard, `idle:${job.truck.status}:${delivered ? delivered.orderId : ""}`, () => idleCard(job.truck));
  }
}

if (session) {
  document.getElementById("sign-out").addEventListener("click", signOut);
  every(POLL_MS, refresh, (failure) => {
    if (failure instanceof NetworkError) offline.hidden = false;
    else errorLine.textContent = `读取派单失败：${failure.message}`;
  });
}
