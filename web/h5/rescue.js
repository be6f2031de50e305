// One-tap rescue: pickup at the phone's position, named by the case's reported address when the
// phone is near it (a driver and a dispatcher read an address, not coordinates); a plain form when
// the phone will not say or is elsewhere. Then the order's truck, ETA and progress, read on every poll.
import { distanceMetres } from "/shared/geo.js";
import { h, position, when } from "./dom.js";
import { RESCUE_STATUS } from "./texts.js";

// Within this of the reported place, the phone is taken to be at it (phone fixes in a city: tens of metres).
const NEAR_REPORTED_M = 300;
const OPEN = new Set(["SEARCHING", "OFFERED", "ASSIGNED", "ARRIVED", "ESCALATED"]);

export function createRescue({ container, api, caseId, me, onChange }) {
  const path = `/cases/${encodeURIComponent(caseId)}/rescue`;
  let order = null;
  let view = null;
  let asking = false; // between the tap and the order: polling leaves the section alone
  const body = h("div", { className: "rescue-body" });
  container.append(h("h2", {}, "道路救援"), body);

  async function request(pickup) {
    order = await api.post(path, { pickup });
    onChange();
  }

  function pickupForm(reason, where = view.location, suggested = view.location.address) {
    const address = h("input", { name: "address", value: suggested, maxlength: "200", required: true });
    const error = h("p", { className: "error", role: "alert" });
    return h("form", { className: "pickup", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await request({ lat: where.lat, lng: where.lng, address: address.value.trim() });
      } catch (failure) {
        error.textContent = `未能发起救援：${failure.message}`;
      }
    } },
    h("p", { className: "hint" }, reason), h("label", {}, "救援地点", address),
    h("button", { type: "submit", className: "button" }, "确认地点并呼叫救援"), error);
  }

  async function tap(event) {
    event.currentTarget.disabled = true;
    asking = true;
    const here = await position();
    if (!here) {
      body.replaceChildren(pickupForm("未能获取手机定位，请确认或修改救援地点："));
      return;
    }
    if (distanceMetres(here, view.location) > NEAR_REPORTED_M) {
      body.replaceChildren(pickupForm("您现在的位置与报案地点相距较远，请填写救援地点（如路名、门牌或明显标志）：", here, ""));
      return;
    }
    try {
      await request({ ...here, address: view.location.address });
    } catch (failure) {
      body.replaceChildren(pickupForm(`未能发起救援（${failure.message}），请确认救援地点后重试：`, here));
    }
  }

  function showOrder() {
    const lines = [h("p", { className: "rescue-status", "data-status": order.status }, RESCUE_STATUS[order.status] || order.status)];
    if (order.truck) lines.push(h("p", {}, `救援车辆：${order.truck.plate}（${order.truck.company}）`));
    if (order.eta && order.status === "ASSIGNED") {
      lines.push(h("p", {}, `预计 ${order.eta.minutes} 分钟内到达（${when(order.eta.arriveBy)} 前），距您约 ${(order.eta.roadDistanceM / 1000).toFixed(1)} 公里`));
    }
    if (order.destination && order.status === "COMPLETED") lines.push(h("p", {}, `已拖至维修厂 ${order.destination}`));
    body.replaceChildren(...lines);
  }

  async function render(caseView) {
    view = caseView;
    if (asking && !order) return;
    const mine = caseView.rescues.filter((r) => r.partyId === me).pop();
    if (mine && (!order || order.orderId !== mine.orderId || OPEN.has(order.status))) {
      try {
        order = await api.get(`${path}/${encodeURIComponent(mine.orderId)}`);
      } catch {
        return; // shown again on the next poll
      }
    }
    if (order && (OPEN.has(order.status) || order.status === "COMPLETED")) {
      showOrder();
    } else if (!body.querySelector("form")) {
      body.replaceChildren(
        h("p", { className: "hint" }, "车辆无法行驶？一键呼叫附近的救援拖车，并同步报案至保险公司。"),
        h("button", { type: "button", className: "button secondary", "data-action": "rescue", onclick: tap }, "一键救援"));
    }
  }

  return { render };
}
