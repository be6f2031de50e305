// The dispatcher's rescue board: orders of the unit by status with their offers and answers,
// escalated orders dispatched again or closed, and the fleet map; everything read again every few seconds.
import { h, when } from "/h5/dom.js";
import { api, every, sessionFor } from "/shared/staff_api.js";
import { signOut } from "/shared/session.js";
import { drawMap } from "./fleet_map.js";

const POLL_MS = 4000;
const TRUCK_PAGE = 500; // the API's largest page: a city's fleet in one request, more only for the largest
const POLICE = ["dispatcher", "officer", "supervisor"];
// The columns of the board, in the order a dispatcher works them.
const LANES = [
  { status: "ESCALATED", title: "已升级：无车接单，需人工处理" },
  { alerting: true, title: "司机逾期未报告" },
  { status: "SEARCHING", title: "正在寻找车辆" },
  { status: "OFFERED", title: "已派单，等待司机答复" },
  { status: "ASSIGNED", title: "司机已接单，前往现场" },
  { status: "ARRIVED", title: "已到达现场" },
  { status: "COMPLETED", title: "已完成（最近 10 个）", limit: 10, newest: true },
  { status: "CANCELLED", title: "已关闭（最近 10 个）", limit: 10, newest: true },
];
const REASON_NEEDED = "请填写关闭原因，如：已电话调派社会救援。";
const STATUS = { SEARCHING: "寻找车辆", OFFERED: "待答复", ASSIGNED: "已接单", ARRIVED: "已到达", COMPLETED: "已完成",
  ESCALATED: "已升级", CANCELLED: "已关闭", FAILED: "失败" };
const ANSWER = { OPEN: "待答复", ACCEPTED: "接受", DECLINED: "拒绝", TIMED_OUT: "超时未答", WITHDRAWN: "已撤回" };

const session = sessionFor(POLICE);
const board = document.getElementById("board");
const mapBox = document.getElementById("map");
const errorLine = document.getElementById("error");
const details = new Map(); // orderId -> { key, order }: an order is read again only when its queue entry moved
const reasonMissing = new Set(); // orders whose close was tried without a reason: the card keeps saying so
let area = null;
let shops = new Map(); // repair shop code -> name: a rescue's destination in words
let view = "fleet";
let latest = { trucks: [], orders: [] };

function minutesSince(iso) {
  return Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 60000));
}

async function detail(entry) {
  const key = `${entry.status}|${entry.statusSince}|${entry.offers}`;
  const known = details.get(entry.orderId);
  if (known && known.key === key) return known.order;
  const order = await api.get(`/cases/${encodeURIComponent(entry.caseId)}/rescue/${encodeURIComponent(entry.orderId)}`);
  details.set(entry.orderId, { key, order });
  return order;
}

function offersTable(order) {
  if (!order.offers.length) return h("p", { className: "hint" }, "尚未派单");
  return h("table", { className: "offers" },
    h("thead", {}, h("tr", {}, h("th", {}, "轮次"), h("th", {}, "车辆"), h("th", {}, "距离"), h("th", {}, "派单时间"), h("th", {}, "答复"))),
    h("tbody", {}, ...order.offers.map((offer) => h("tr", { "data-answer": offer.answer },
      h("td", {}, offer.round), h("td", {}, offer.truckId), h("td", {}, `${(offer.distanceM / 1000).toFixed(1)} 公里`),
      h("td", {}, when(offer.offeredAt)), h("td", { className: `answer ${offer.answer}` },
        ANSWER[offer.answer] || offer.answer, offer.reason ? `（${offer.reason}）` : "")))));
}

async function decide(button, doing) {
  button.disabled = true;
  errorLine.textContent = "";
  try {
    await doing();
    await refresh();
  } catch (failure) {
    errorLine.textContent = `操作未成功：${failure.message}`;
    button.disabled = false;
  }
}

function escalationActions(order) {
  const base = `/cases/${encodeURIComponent(order.caseId)}/rescue/${encodeURIComponent(order.orderId)}`;
  const missing = h("p", { className: "field-error", role: "alert" }, reasonMissing.has(order.orderId) ? REASON_NEEDED : "");
  const reason = h("input", { name: "reason", placeholder: "关闭原因，如：已电话调派社会救援", maxlength: "200",
    "aria-label": "关闭原因", oninput: () => { reasonMissing.delete(order.orderId); missing.textContent = ""; } });
  return h("div", { className: "actions" },
    h("button", { type: "button", className: "primary", "data-action": "redispatch",
      onclick: (e) => decide(e.currentTarget, () => api.post(`${base}/redispatch`)) }, "重新派单"),
    h("form", { className: "close", onsubmit: (event) => {
      event.preventDefault();
      const why = reason.value.trim();
      if (!why) { // the closing goes to the audit and the parties: it always says why
        reasonMissing.add(order.orderId);
        missing.textContent = REASON_NEEDED;
        reason.focus();
        return;
      }
      if (!confirm(`确定关闭救援工单（案件 ${order.caseId}）？关闭后不再派车。\n原因：${why}`)) return;
      decide(event.submitter, () => api.post(`${base}/cancel`, { reason: why }));
    } }, reason, h("button", { type: "submit", "data-action": "close" }, "关闭工单")), missing);
}

function orderCard(order, lane) {
  const facts = [h("span", { className: `status ${order.status}` }, STATUS[order.status] || order.status),
    h("span", {}, `${minutesSince(order.statusSince)} 分钟前`), h("span", { className: "case" }, `案件 ${order.caseId}`)];
  const lines = [h("p", { className: "facts" }, ...facts), h("p", { className: "address" }, order.pickup.address)];
  if (order.truck) lines.push(h("p", {}, `车辆：${order.truck.plate}（${order.truck.company}，${order.truck.truckId}）`));
  if (order.eta && order.status === "ASSIGNED") lines.push(h("p", {}, `预计 ${when(order.eta.arriveBy)} 到达`));
  if (order.alerts.length) lines.push(h("p", { className: "alert" }, `司机逾期未报告${order.alerts.at(-1).milestone === "ARRIVAL" ? "到达" : "完成"}`));
  if (order.status === "CANCELLED" && order.outcome) lines.push(h("p", {}, `关闭原因：${order.outcome}`));
  if (order.dropoff) lines.push(h("p", {}, `送达维修厂：${shops.get(order.dropoff) || order.dropoff}`));
  lines.push(offersTable(order));
  if (order.status === "ESCALATED" && !lane.alerting) lines.push(escalationActions(order));
  return h("article", { className: "order", "data-order": order.orderId, "data-status": order.status }, ...lines);
}

async function laneOrders(lane) {
  const query = lane.alerting ? "alerting=true" : `status=${lane.status}${lane.newest ? "&newestFirst=true" : ""}`;
  const queue = await api.get(`/portal/rescue?${query}&limit=${lane.limit || 50}`);
  return Promise.all(queue.orders.map(detail));
}

function render(lanes) {
  const focused = document.activeElement && document.activeElement.name === "reason" ? document.activeElement : null;
  if (focused && focused.value) return; // a dispatcher typing a reason keeps the form until the next quiet poll
  board.replaceChildren(...lanes.map(({ lane, orders }) => h("section", { className: "lane", "data-lane": lane.status || "ALERTING" },
    h("h2", {}, lane.title, h("span", { className: "count" }, orders.length)),
    ...(orders.length ? orders.map((order) => orderCard(order, lane)) : [h("p", { className: "hint" }, "暂无")]))));
}

function renderMap() {
  if (!area) return;
  const open = latest.orders.filter((o) => ["SEARCHING", "OFFERED", "ASSIGNED", "ARRIVED", "ESCALATED"].includes(o.status));
  drawMap(mapBox, { area, view, trucks: latest.trucks,
    orders: open.map((o) => ({ orderId: o.orderId, status: o.status, statusText: STATUS[o.status], pickup: o.pickup, truckId: o.truck && o.truck.truckId })) });
  const counts = latest.trucks.reduce((acc, t) => ({ ...acc, [t.status]: (acc[t.status] || 0) + 1 }), {});
  document.getElementById("fleet-summary").textContent =
    `共 ${latest.trucks.length} 辆：待命 ${counts.STANDBY || 0}，待答复 ${counts.OFFERED || 0}，执行任务 ${counts.BUSY || 0}，下线 ${counts.OFFLINE || 0}；未结工单 ${open.length} 个`;
}

/** The whole fleet of the unit's city, page after page (the API pages it; the map draws every truck). */
async function fleetTrucks() {
  const trucks = [];
  let token = null;
  do {
    const page = await api.get(`/tow/trucks?limit=${TRUCK_PAGE}${token ? `&nextToken=${encodeURIComponent(token)}` : ""}`);
    trucks.push(...page.trucks);
    token = page.nextToken;
  } while (token);
  return trucks;
}

async function refresh() {
  if (!area) {
    area = await api.get("/portal/rescue/area");
    document.getElementById("unit").textContent = `${area.name} · ${session.name || session.subject}`;
  }
  if (!shops.size) shops = new Map((await api.get("/repair-shops")).items.map((shop) => [shop.code, shop.name]));
  const [lanes, fleet] = await Promise.all([
    Promise.all(LANES.map(async (lane) => ({ lane, orders: await laneOrders(lane) }))),
    fleetTrucks(),
  ]);
  latest = { trucks: fleet, orders: lanes.filter(({ lane }) => !lane.alerting).flatMap(({ orders }) => orders) };
  render(lanes);
  renderMap();
  errorLine.textContent = "";
  document.getElementById("refreshed").textContent = `更新于 ${new Date().toLocaleTimeString("zh-CN", { hour12: false })}`;
}

if (session) {
  document.getElementById("sign-out").addEventListener("click", signOut);
  for (const button of document.querySelectorAll("[data-view]")) {
    button.addEventListener("click", () => {
      view = button.dataset.view;
      for (const other of document.querySelectorAll("[data-view]")) other.setAttribute("aria-pressed", String(other === button));
      renderMap();
    });
  }
  every(POLL_MS, refresh, (failure) => { errorLine.textContent = `刷新失败，稍后自动重试：${failure.message}`; });
}
