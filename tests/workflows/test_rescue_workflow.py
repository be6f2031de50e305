"""Given a case whose car cannot be driven, when a party taps rescue, then the nearest standby
truck is offered the job, and every answer, timeout and report moves the real workflow on."""

from __future__ import annotations

import math
from typing import Any

from chalicelib import config
from tests.factories import case_body, staff_token, tow_token, wait_for

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance, written out here so the test does not trust the code under test."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def nearest_trucks() -> list[str]:
    trucks = config.load("seed_yancheng")["towTrucks"]
    return [t["truckId"] for t in sorted(trucks, key=lambda t: _metres((PICKUP["lat"], PICKUP["lng"]), (t["lat"], t["lng"])))]


def open_rescue(flow: Any) -> tuple[dict, dict]:
    created = flow.api.create_case(case_body()).body
    party = created["parties"][0]
    reply = flow.api.call("POST", f"/cases/{created['caseId']}/rescue", party["token"], {"pickup": PICKUP, "destination": "RP01"})
    assert reply.status == 201, reply.body
    return created, reply.body


def order(flow: Any, case_id: str, order_id: str) -> dict:
    reply = flow.api.call("GET", f"/cases/{case_id}/rescue/{order_id}", staff_token("dispatcher"))
    assert reply.status == 200, reply.body
    return reply.body


def offered_to(flow: Any, case_id: str, order_id: str, count: int) -> dict:
    """The order once its `count`-th offer is open."""
    return wait_for(
        lambda: (o := order(flow, case_id, order_id))["status"] == "OFFERED" and len(o["offers"]) == count and o,
        what=f"offer number {count}",
    )


def status_becomes(flow: Any, case_id: str, order_id: str, status: str, timeout: float = 10) -> dict:
    return wait_for(lambda: (o := order(flow, case_id, order_id))["status"] == status and o, timeout, what=f"order {status}")


def truck(flow: Any, truck_id: str) -> dict:
    trucks = flow.api.call("GET", "/tow/trucks", staff_token("dispatcher")).body["trucks"]
    return next(t for t in trucks if t["truckId"] == truck_id)


def outbox_topics(case_id: str) -> list[str]:
    from chalicelib.store import outbox

    return [m.topic for m in outbox.pending() if m.case_id == case_id]


def test_given_a_tap_when_the_nearest_driver_accepts_then_the_truck_comes_and_hands_the_car_to_a_repair_shop(flow):
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    assert rescue["status"] == "SEARCHING"
    assert "rescue.reported" in outbox_topics(case_id)  # the insurer's one-click report, in the same transaction

    first = nearest_trucks()[0]
    offered = offered_to(flow, case_id, order_id, 1)
    assert offered["offers"][0]["truckId"] == first
    offers = flow.api.call("GET", "/tow/offers", tow_token(first)).body["offers"]
    assert [o["orderId"] for o in offers] == [order_id]
    assert truck(flow, first)["status"] == "OFFERED"

    accepted = flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first))
    assert accepted.status == 202, accepted.body
    assigned = status_becomes(flow, case_id, order_id, "ASSIGNED")
    assert assigned["truck"]["truckId"] == first
    assert assigned["eta"]["minutes"] >= config.load("rescue")["dispatchMinutes"]
    assert assigned["offers"][0]["answer"] == "ACCEPTED"
    assert truck(flow, first)["status"] == "BUSY"
    assert "rescue.assigned" in outbox_topics(case_id)

    arrived = flow.api.call("POST", f"/tow/orders/{order_id}/arrived", tow_token(first), {})
    assert arrived.status == 200, arrived.body
    assert arrived.body["status"] == "ARRIVED"
    done = wait_for(lambda: (o := order(flow, case_id, order_id))["status"] == "ARRIVED" and o, what="arrival recorded")
    completed = flow.api.call("POST", f"/tow/orders/{order_id}/completed", tow_token(first), {"dropoff": "RP02"})
    assert completed.status == 200, completed.body
    done = completed.body
    assert done["status"] == "COMPLETED" and done["dropoff"] == "RP02" and done["handoffId"]
    assert truck(flow, first)["status"] == "STANDBY"
    assert "repair.handoff" in outbox_topics(case_id)
    assert flow.finished(f"rescue-{case_id}-1") == "SUCCEEDED"
