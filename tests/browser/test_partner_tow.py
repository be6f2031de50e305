"""The tow driver's page on a phone: the offer a party's one-tap rescue made, accepted, arrived,
completed at a repair shop; the dispatcher's board shows the order along the way."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DEADLINE_MS, PHONE, screenshot
from tests.browser.staff_session import DESK, sign_in
from tests.factories import wait_for

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def _offered_truck(accident, order_id: str) -> str:
    def offered() -> str | None:
        order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.dispatcher).json()
        return order["offers"][-1]["truckId"] if order["status"] == "OFFERED" else None

    return wait_for(offered, timeout=90, every=0.5, what="an offer to the nearest truck")


def test_given_an_offer_when_the_driver_accepts_arrives_and_completes_then_the_board_shows_each_step(accident, browser):
    requested = accident.call("POST", f"/cases/{accident.case_id}/rescue", accident.parties[0]["token"],
                              {"pickup": PICKUP, "destination": "RP01"})
    assert requested.status_code == 201, requested.text
    order_id = requested.json()["orderId"]
    truck = _offered_truck(accident, order_id)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                                geolocation={"latitude": 33.3803, "longitude": 120.1500}, permissions=["geolocation"])
    desk = browser.new_context(viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        phone.set_default_timeout(DEADLINE_MS)
        desk.set_default_timeout(DEADLINE_MS)
        sign_in(phone, accident.stack, "tow", truck)
        sign_in(desk, accident.stack, "dispatcher")
        driver = phone.new_page()
        board = desk.new_page()
        errors: list[str] = []
        for page in (driver, board):
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("response", lambda reply: errors.append(f"{reply.status} {reply.url}") if reply.status >= 400 else None)
        driver.goto(f"{accident.stack.url}/partner/tow")
        board.goto(f"{accident.stack.url}/portal/dispatch")

        expect(driver.locator("[data-state=offer]")).to_be_visible(timeout=DEADLINE_MS)
        expect(driver.locator("#job")).to_contain_text(PICKUP["address"], timeout=DEADLINE_MS)
        expect(driver.locator(".distance")).to_contain_text("公里", timeout=DEADLINE_MS)
        navigation = driver.locator("#job a[data-action=navigate]")
        expect(navigation).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker\?position=120\.1502,33\.3801&"))
        expect(navigation).to_contain_text("导航")
        offered_card = board.locator(f"[data-lane=OFFERED] [data-order={order_id}]")
        expect(offered_card).to_contain_text(truck, timeout=DEADLINE_MS)
        expect(offered_card).to_contain_text("待答复", timeout=DEADLINE_MS)
        expect(board.locator(f"svg .pickup[data-order={order_id}]")).to_have_count(1, timeout=DEADLINE_MS)
        expect(board.locator(f"svg .truck.OFFERED[data-truck={truck}]")).to_have_count(1, timeout=DEADLINE_MS)
        screenshot(driver, "partner-tow-offer")

        driver.locator("[data-action=accept]").click()
        expect(driver.locator("[data-state=ASSIGNED]")).to_be_visible(timeout=DEADLINE_MS)
        expect(board.locator(f"[data-lane=ASSIGNED] [data-order={order_id}]")).to_contain_text("接受", timeout=DEADLINE_MS)
        expect(board.locator(f"svg .truck.BUSY[data-truck={truck}]")).to_have_count(1, timeout=DEADLINE_MS)
        screenshot(board, "dispatch-board-assigned")

        driver.locator("[data-action=arrived]").click()
        expect(driver.locator("[data-state=ARRIVED]")).to_be_visible(timeout=DEADLINE_MS)
        expect(driver.locator("select[name=dropoff]")).to_have_value("RP01", timeout=DEADLINE_MS)
        screenshot(driver, "partner-tow-arrived")
        shop = driver.locator("select[name=dropoff] option:checked").inner_text()
        driver.locator("[data-action=completed]").click()
        expect(driver.locator("[data-state=idle]")).to_be_visible(timeout=DEADLINE_MS)
        done = driver.locator("#job .ok[data-state=delivered]")
        expect(done).to_contain_text("救援已完成", timeout=DEADLINE_MS)
        expect(done).to_contain_text(shop)
        screenshot(driver, "partner-tow-delivered")

        shop = "送达维修厂：盐城市亭湖区安达汽车维修服务有限公司"  # RP01, by its name
        expect(board.locator(f"[data-lane=COMPLETED] [data-order={order_id}]")).to_contain_text(shop, timeout=DEADLINE_MS)
        expect(board.locator(f"svg .truck.STANDBY[data-truck={truck}]")).to_have_count(1, timeout=DEADLINE_MS)
        screenshot(board, "dispatch-board-completed")
        order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.dispatcher).json()
        assert (order["status"], order["dropoff"], order["truck"]["truckId"]) == ("COMPLETED", "RP01", truck)
        assert errors == []
    finally:
        phone.close()
        desk.close()


def test_given_an_offer_whose_pickup_is_only_a_phone_position_then_no_fake_address_is_shown_but_navigation_is(accident, browser):
    located = {"lat": 33.3811, "lng": 120.1512, "address": "手机定位（33.38110, 120.15120）"}
    requested = accident.call("POST", f"/cases/{accident.case_id}/rescue", accident.parties[1]["token"],
                              {"pickup": located, "destination": "RP01"})
    assert requested.status_code == 201, requested.text
    truck = _offered_truck(accident, requested.json()["orderId"])
    phone = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        phone.set_default_timeout(DEADLINE_MS)
        sign_in(phone, accident.stack, "tow", truck)
        driver = phone.new_page()
        driver.goto(f"{accident.stack.url}/partner/tow")
        expect(driver.locator("[data-state=offer]")).to_be_visible(timeout=DEADLINE_MS)
        expect(driver.locator("#job .address")).to_have_text("乘客未填写地址，请按导航前往定位点")
        expect(driver.locator("#job a[data-action=navigate]")).to_have_attribute("href", re.compile(r"position=120\.1512,33\.3811&"))
        screenshot(driver, "partner-tow-offer-position")
    finally:
        phone.close()
