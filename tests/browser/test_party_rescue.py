"""One-tap rescue from the party page: the phone's position, or a plain form when it will not say.

Its own local stack (module scope): the rescue workflow's background runs stay out of the other
browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DEADLINE_MS, screenshot
from tests.factories import wait_for


def test_given_car_will_not_start_when_rescue_tapped_then_order_from_phone_position_and_truck_shows_live(accident, page):
    page.goto(accident.sms_link(0))
    page.locator("[data-action=rescue]").click()
    status = page.locator(".rescue-status")
    expect(status).to_be_visible(timeout=DEADLINE_MS)
    order_id = wait_for(lambda: accident.view()["rescues"], what="the rescue order")[0]["orderId"]
    token = accident.parties[0]["token"]

    def offered() -> str | None:
        order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", token).json()
        return order["offers"][-1]["truckId"] if order["status"] == "OFFERED" else None

    truck = wait_for(offered, timeout=90, every=0.5, what="an offer to the nearest truck")
    order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", token).json()
    # The phone's position, named by the reported address it is at (drivers read an address, not coordinates)
    assert abs(order["pickup"]["lat"] - 33.3801) < 1e-6 and abs(order["pickup"]["lng"] - 120.1502) < 1e-6
    assert order["pickup"]["address"] == accident.view()["location"]["address"] == "盐城市亭湖区解放南路与人民中路交叉口"
    driver = accident.stack.token("tow", truck)
    assert accident.call("POST", f"/tow/orders/{order_id}/accept", driver).status_code == 202
    expect(status).to_have_attribute("data-status", "ASSIGNED", timeout=DEADLINE_MS)
    expect(page.locator("#rescue")).to_contain_text("预计")
    screenshot(page, "party-rescue-assigned")


@contextmanager
def _pickup_form(accident, browser, **phone: Any) -> Iterator[tuple[Any, Any]]:
    """The party's page on a phone (`phone`: its location settings), rescue tapped, the form shown."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", **phone)
    try:
        page = context.new_page()
        page.goto(accident.sms_link(0))
        page.locator("[data-action=rescue]").click()
        form = page.locator("form.pickup")
        expect(form).to_be_visible(timeout=DEADLINE_MS)
        yield page, form
    finally:
        context.close()


def _submitted_pickup(accident, page, form, address: str) -> dict:
    form.locator("input[name=address]").fill(address)
    form.locator("button[type=submit]").click()
    expect(page.locator(".rescue-status")).to_be_visible(timeout=DEADLINE_MS)
    order_id = accident.view()["rescues"][0]["orderId"]
    order = accident.call("GET", f"/cases/{accident.case_id}/rescue/{order_id}", accident.parties[0]["token"]).json()
    return dict(order["pickup"])


def test_given_location_refused_when_rescue_tapped_then_a_plain_form_takes_the_pickup(accident, browser):
    with _pickup_form(accident, browser, permissions=[]) as (page, form):
        pickup = _submitted_pickup(accident, page, form, "盐城市亭湖区解放南路88号门口")
        assert pickup["address"] == "盐城市亭湖区解放南路88号门口"


def test_given_the_phone_far_from_the_reported_place_when_rescue_tapped_then_the_party_names_where_she_is(accident, browser):
    elsewhere = {"latitude": 33.4102, "longitude": 120.2011}  # about 6 km from the reported crossing
    with _pickup_form(accident, browser, geolocation=elsewhere, permissions=["geolocation"]) as (page, form):
        expect(form).to_contain_text("相距较远")
        assert form.locator("input[name=address]").input_value() == ""  # not the reported address: she is not there
        pickup = _submitted_pickup(accident, page, form, "盐城市盐都区世纪大道5号加油站旁")
        assert pickup["address"] == "盐城市盐都区世纪大道5号加油站旁"
        assert abs(pickup["lat"] - 33.4102) < 1e-6 and abs(pickup["lng"] - 120.2011) < 1e-6
