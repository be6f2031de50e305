"""The dispatcher's board on a desk: an order no truck took (every truck asked declined) is
escalated; the dispatcher sends it out again, or closes it after arranging help by phone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from chalicelib import config
from tests.browser.conftest import DEADLINE_MS, screenshot
from tests.browser.portal import contrast
from tests.browser.staff_session import DESK, sign_in
from tests.factories import wait_for

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def _escalated(accident: Any) -> str:
    """A rescue every truck asked turned down: the order id, once ESCALATED."""
    requested = accident.call("POST", f"/cases/{accident.case_id}/rescue", accident.parties[0]["token"], {"pickup": PICKUP})
    assert requested.status_code == 201, requested.text
    order_id = requested.json()["orderId"]
    path = f"/cases/{accident.case_id}/rescue/{order_id}"
    for count in range(1, config.load("rescue")["maxOffers"] + 1):
        order = wait_for(lambda c=count: (o := accident.call("GET", path, accident.dispatcher).json())["status"] == "OFFERED"
                         and len(o["offers"]) == c and o, timeout=90, every=0.5, what=f"offer {count}")
        truck = order["offers"][-1]["truckId"]
        declined = accident.call("POST", f"/tow/orders/{order_id}/decline", accident.stack.token("tow", truck), {"reason": "车辆故障"})
        assert declined.status_code == 200, declined.text
    wait_for(lambda: accident.call("GET", path, accident.dispatcher).json()["status"] == "ESCALATED", timeout=90, every=0.5,
             what="the escalation")
    return order_id


def _board(browser: Any, accident: Any, truck_page: int | None = None) -> tuple[Any, Any]:
    """The board on a desk; with `truck_page`, the fleet is served in pages that small (the board follows them)."""
    desk = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    desk.set_default_timeout(DEADLINE_MS)
    sign_in(desk, accident.stack, "dispatcher")
    page = desk.new_page()
    if truck_page is not None:
        page.route("**/tow/trucks?*", lambda route: route.continue_(url=re.sub(r"limit=\d+", f"limit={truck_page}", route.request.url)))
    page.goto(f"{accident.stack.url}/portal/dispatch")
    return desk, page


def test_given_an_escalated_order_when_the_dispatcher_redispatches_it_then_a_second_round_of_offers_starts(accident, browser):
    order_id = _escalated(accident)
    desk, page = _board(browser, accident)
    try:
        card = page.locator(f"[data-lane=ESCALATED] [data-order={order_id}]")
        expect(card).to_be_visible(timeout=DEADLINE_MS)
        expect(card.locator("tr[data-answer=DECLINED]")).to_have_count(config.load("rescue")["maxOffers"], timeout=DEADLINE_MS)
        expect(card).to_contain_text("车辆故障", timeout=DEADLINE_MS)
        expect(page.locator(f"svg .pickup.ESCALATED[data-order={order_id}]")).to_have_count(1, timeout=DEADLINE_MS)
        screenshot(page, "dispatch-board-escalated")

        card.locator("[data-action=redispatch]").click()
        expect(page.locator(f"[data-lane=ESCALATED] [data-order={order_id}]")).to_have_count(0, timeout=DEADLINE_MS)
        moved = page.locator(f"[data-lane=SEARCHING] [data-order={order_id}], [data-lane=OFFERED] [data-order={order_id}]")
        expect(moved).to_be_visible(timeout=DEADLINE_MS)
        order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.dispatcher).json()
        assert order["round"] == 2 and order["status"] in ("SEARCHING", "OFFERED")
        screenshot(page, "dispatch-board-redispatched")
    finally:
        desk.close()


def test_given_an_escalated_order_when_the_dispatcher_closes_it_with_a_reason_then_it_leaves_the_board(accident, browser):
    order_id = _escalated(accident)
    desk, page = _board(browser, accident, truck_page=20)
    try:
        card = page.locator(f"[data-lane=ESCALATED] [data-order={order_id}]")
        expect(card).to_be_visible(timeout=DEADLINE_MS)
        sent: list[str] = []
        page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/cancel") else None)
        card.locator("[data-action=close]").click()  # no reason: told so, nothing sent
        expect(card.get_by_role("alert")).to_have_text("请填写关闭原因，如：已电话调派社会救援。")
        assert sent == []
        assert accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.dispatcher).json()["status"] == "ESCALATED"

        card.locator("input[name=reason]").fill("已电话联系社会救援车辆")
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        card.locator("[data-action=close]").click()  # asked first; declining keeps the order open
        wait_for(lambda: asked, timeout=60, what="the confirmation")
        assert "已电话联系社会救援车辆" in asked[0] and sent == []
        page.once("dialog", lambda dialog: dialog.accept())
        card.locator("[data-action=close]").click()
        expect(page.locator(f"[data-lane=ESCALATED] [data-order={order_id}]")).to_have_count(0, timeout=DEADLINE_MS)
        expect(page.locator(f"[data-lane=CANCELLED] [data-order={order_id}]")).to_be_visible(timeout=DEADLINE_MS)  # not vanished
        screenshot(page, "dispatch-board-closed")
        order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.dispatcher).json()
        assert order["status"] == "CANCELLED"
        audit = accident.call("GET", f"/cases/{accident.case_id}/audit", accident.officer).json()["entries"]
        assert any("已电话联系社会救援车辆" in str(entry.get("detail")) for entry in audit)

        page.locator("[data-view=area]").click()  # the unit's whole area, drawn from its bounding box
        expect(page.locator("svg .map-title")).to_have_text("盐城市公安局交通警察支队 辖区", timeout=DEADLINE_MS)
        expect(page.locator("svg .truck")).to_have_count(49, timeout=DEADLINE_MS)  # three pages of 20, 20 and 9
        expect(page.locator("#fleet-summary")).to_contain_text("共 49 辆", timeout=DEADLINE_MS)
        screenshot(page, "dispatch-map-area")
    finally:
        desk.close()


def test_given_a_rescue_delivered_to_a_repair_shop_then_the_board_names_the_shop(accident, browser):
    requested = accident.call("POST", f"/cases/{accident.case_id}/rescue", accident.parties[0]["token"], {"pickup": PICKUP})
    assert requested.status_code == 201, requested.text
    order_id = requested.json()["orderId"]
    path = f"/cases/{accident.case_id}/rescue/{order_id}"
    offered = wait_for(lambda: (o := accident.call("GET", path, accident.dispatcher).json())["status"] == "OFFERED" and o,
                       timeout=90, every=0.5, what="the first offer")
    driver = accident.stack.token("tow", offered["offers"][-1]["truckId"])
    assert accident.call("POST", f"/tow/orders/{order_id}/accept", driver).status_code == 202
    wait_for(lambda: accident.call("GET", path, accident.dispatcher).json()["status"] == "ASSIGNED", timeout=90, every=0.5,
             what="the assignment")
    assert accident.call("POST", f"/tow/orders/{order_id}/arrived", driver, {}).status_code == 200
    completed = accident.call("POST", f"/tow/orders/{order_id}/completed", driver, {"dropoff": "RP02"})
    assert completed.status_code == 200, completed.text
    shop = next(s["name"] for s in accident.call("GET", "/repair-shops", accident.dispatcher).json()["items"] if s["code"] == "RP02")

    desk, page = _board(browser, accident)
    try:
        card = page.locator(f"[data-lane=COMPLETED] [data-order={order_id}]")
        expect(card).to_contain_text(f"送达维修厂：{shop}", timeout=DEADLINE_MS)
        expect(card).not_to_contain_text("RP02")
    finally:
        desk.close()


def test_given_the_fleet_map_then_its_labels_are_legible_inside_the_map_and_cover_no_label_or_dot(accident, browser):
    desk, page = _board(browser, accident)
    try:
        expect(page.locator("svg .truck")).to_have_count(49, timeout=DEADLINE_MS)
        axis = page.locator("svg .grid-label").first
        colour, size = axis.evaluate("label => [getComputedStyle(label).fill, parseFloat(getComputedStyle(label).fontSize)]")
        sea = page.locator("svg .sea").evaluate("rect => getComputedStyle(rect).fill")
        assert contrast(colour, sea) >= 4.5 and size >= 11, (colour, sea, size)
        outside = page.evaluate("""() => [...document.querySelectorAll('svg .grid-label, svg .truck-label')]
            .map((label) => [label.textContent, label.getBoundingClientRect(), label.ownerSVGElement.getBoundingClientRect()])
            .filter(([, box, map]) => box.left < map.left - 0.5 || box.right > map.right + 0.5)
            .map(([text]) => text)""")
        assert outside == [], outside
        overlapping = page.evaluate("""() => {
            const boxes = [...document.querySelectorAll('svg .truck-label')].map((l) => [l.textContent, l.getBoundingClientRect()]);
            const dots = [...document.querySelectorAll('svg .truck')]
                .map((t) => [t.dataset.truck, t.querySelector('circle').getBoundingClientRect()]);
            const cross = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            return [
                ...boxes.flatMap(([name, box], i) => boxes.slice(i + 1).filter(([, other]) => cross(box, other))
                    .map(([other]) => `${name}/${other}`)),
                ...boxes.flatMap(([name, box]) => dots.filter(([, dot]) => cross(box, dot)).map(([truck]) => `${name} on ${truck}'s dot`)),
            ];
        }""")
        assert overlapping == [], overlapping
        assert page.locator("svg .truck-label").count() >= 30  # most trucks still named on the map
        screenshot(page, "dispatch-map-labels")
    finally:
        desk.close()
