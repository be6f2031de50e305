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


def accepted_by_nearest(flow: Any) -> tuple[str, str, str]:
    """A tapped rescue whose first offer the nearest truck took: (case id, order id, truck id)."""
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    first = nearest_trucks()[0]
    offered_to(flow, case_id, order_id, 1)
    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first)).status == 202
    return case_id, order_id, first


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
    completed = flow.api.call("POST", f"/tow/orders/{order_id}/completed", tow_token(first), {"dropoff": "RP02"})
    assert completed.status == 200, completed.body
    done = completed.body
    assert done["status"] == "COMPLETED" and done["dropoff"] == "RP02" and done["handoffId"]
    assert truck(flow, first)["status"] == "STANDBY"
    assert "repair.handoff" in outbox_topics(case_id)
    assert flow.finished(f"rescue-{case_id}-1") == "SUCCEEDED"
    told = rescue_notices(case_id)
    assert [topic for topic, _, _ in told] == ["rescue.requested", "rescue.assigned", "rescue.arrived", "rescue.completed"]
    assert {party for _, party, _ in told} == {case["parties"][0]["partyId"]}  # whose car it is, not the other party
    assert all(text.startswith("【云车通】") for _, _, text in told)


def rescue_notices(case_id: str) -> list[tuple[str, str, str]]:
    """The rescue notices to parties (topic, party, text), oldest first (the insurer's report excluded)."""
    from chalicelib.store import outbox
    from chalicelib.store.cases import plain

    notices = [m for m in outbox.pending() if m.case_id == case_id and m.channel == "NOTICE" and m.topic.startswith("rescue.")]
    return [(m.topic, m.recipient, str(plain(m.payload)["text"])) for m in sorted(notices, key=lambda m: m.created_at)]


def test_given_an_offer_when_the_driver_declines_then_the_next_nearest_truck_is_asked_and_can_accept(flow):
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    first, second = nearest_trucks()[:2]
    offered_to(flow, case_id, order_id, 1)

    declined = flow.api.call("POST", f"/tow/orders/{order_id}/decline", tow_token(first), {"reason": "车辆故障"})
    assert declined.status == 200, declined.body
    again = flow.api.call("POST", f"/tow/orders/{order_id}/decline", tow_token(first), {})
    assert again.status == 409  # its offer is closed

    offered = offered_to(flow, case_id, order_id, 2)
    assert [o["truckId"] for o in offered["offers"]] == [first, second]
    assert offered["offers"][0]["answer"] == "DECLINED" and offered["offers"][0]["reason"] == "车辆故障"
    assert truck(flow, first)["status"] == "STANDBY"
    assert flow.api.call("GET", "/tow/offers", tow_token(first)).body["offers"] == []

    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first)).status == 409
    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(second)).status == 202
    assigned = status_becomes(flow, case_id, order_id, "ASSIGNED")
    assert assigned["truck"]["truckId"] == second
    assert [o["answer"] for o in assigned["offers"]] == ["DECLINED", "ACCEPTED"]
    assert truck(flow, second)["status"] == "BUSY"


def test_given_an_offer_when_the_driver_does_not_answer_in_time_then_it_times_out_and_the_next_truck_is_asked(flow):
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    first, second = nearest_trucks()[:2]

    offered = offered_to(flow, case_id, order_id, 2)  # the first offer lapses after RESCUE_OFFER_SECONDS
    assert offered["offers"][0] | {"answeredAt": None} == offered["offers"][0] | {"answeredAt": None, "answer": "TIMED_OUT"}
    assert [o["truckId"] for o in offered["offers"]] == [first, second]
    assert truck(flow, first)["status"] == "STANDBY"

    late = flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first))
    assert late.status == 409, late.body


def test_given_every_truck_asked_declines_then_the_order_is_escalated_to_the_dispatcher_and_the_parties_are_told(flow):
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    max_offers = config.load("rescue")["maxOffers"]
    for count in range(1, max_offers + 1):
        offered = offered_to(flow, case_id, order_id, count)
        asked = offered["offers"][-1]["truckId"]
        assert flow.api.call("POST", f"/tow/orders/{order_id}/decline", tow_token(asked), {}).status == 200

    escalated = status_becomes(flow, case_id, order_id, "ESCALATED")
    assert [o["truckId"] for o in escalated["offers"]] == nearest_trucks()[:max_offers]
    assert {o["answer"] for o in escalated["offers"]} == {"DECLINED"}
    queue = flow.api.call("GET", "/portal/rescue?status=ESCALATED", staff_token("dispatcher")).body["orders"]
    assert order_id in [o["orderId"] for o in queue]
    assert "rescue.escalated" in outbox_topics(case_id)
    assert {truck(flow, t)["status"] for t in nearest_trucks()[:max_offers]} == {"STANDBY"}
    assert flow.finished(f"rescue-{case_id}-1") == "SUCCEEDED"

    # The dispatcher arranges help by phone and closes the order; a new tap would start afresh.
    closed = flow.api.call("POST", f"/cases/{case_id}/rescue/{order_id}/cancel", staff_token("dispatcher"), {"reason": "电话调派"})
    assert closed.status == 200 and closed.body["status"] == "CANCELLED"
    queue = flow.api.call("GET", "/portal/rescue?status=ESCALATED", staff_token("dispatcher")).body["orders"]
    assert order_id not in [o["orderId"] for o in queue]


def test_given_an_open_offer_when_the_party_cancels_then_the_truck_is_released_and_the_run_stops(flow):
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    first = nearest_trucks()[0]
    offered_to(flow, case_id, order_id, 1)

    cancelled = flow.api.call("POST", f"/cases/{case_id}/rescue/{order_id}/cancel", case["parties"][0]["token"], {"reason": "已自行挪车"})
    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["status"] == "CANCELLED"
    assert cancelled.body["offers"][0]["answer"] == "WITHDRAWN"
    assert truck(flow, first)["status"] == "STANDBY"
    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first)).status == 409
    # AWS ends a stopped run at once (ABORTED); moto's engine ends one that waits for a callback
    # when the wait lapses, reported FAILED. Either way the run went no further:
    assert flow.finished(f"rescue-{case_id}-1") in {"ABORTED", "FAILED"}
    after = order(flow, case_id, order_id)
    assert after["status"] == "CANCELLED" and len(after["offers"]) == 1
    assert truck(flow, first)["status"] == "STANDBY"
    again = flow.api.call("POST", f"/cases/{case_id}/rescue/{order_id}/cancel", case["parties"][0]["token"], {})
    assert again.status == 409


def test_given_a_reserved_truck_when_a_later_step_fails_then_compensation_releases_it_and_the_order_fails(flow):
    def broken(event, context):
        raise RuntimeError("the assignment step crashed")

    flow.install({"rescue-assign-truck": broken})
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    first = nearest_trucks()[0]
    offered_to(flow, case_id, order_id, 1)
    assert truck(flow, first)["status"] == "OFFERED"

    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first)).status == 202
    failed = status_becomes(flow, case_id, order_id, "FAILED")
    assert failed["outcome"] == "RuntimeError"
    assert truck(flow, first)["status"] == "STANDBY"
    assert "rescue.failed" in outbox_topics(case_id)
    assert flow.finished(f"rescue-{case_id}-1") == "FAILED"


def test_given_a_rescue_under_way_when_the_party_taps_again_then_no_second_order_or_run_is_started(flow):
    case, rescue = open_rescue(flow)
    case_id = case["caseId"]
    again = flow.api.call("POST", f"/cases/{case_id}/rescue", case["parties"][0]["token"], {"pickup": PICKUP})
    assert again.status == 200, again.body
    assert again.body["orderId"] == rescue["orderId"]
    by_officer = flow.api.call("POST", f"/cases/{case_id}/rescue", staff_token("officer"),
                               {"partyId": case["parties"][0]["partyId"], "pickup": PICKUP})
    assert by_officer.body["orderId"] == rescue["orderId"]
    assert [e["name"] for e in flow.executions()] == [f"rescue-{case_id}-1"]


def test_given_an_assigned_truck_when_it_never_reports_arrival_then_a_dispatcher_is_alerted_and_the_truck_freed_in_the_end(flow):
    case_id, order_id, first = accepted_by_nearest(flow)

    def alerted() -> list[str]:
        return [o["orderId"] for o in flow.api.call("GET", "/portal/rescue?alerting=true", staff_token("dispatcher")).body["orders"]]

    wait_for(lambda: order_id in alerted(), what="the dispatcher alert")
    failed = status_becomes(flow, case_id, order_id, "FAILED", timeout=15)
    assert failed["outcome"] == "MilestoneOverdue"
    assert [a["milestone"] for a in failed["alerts"]] == ["ARRIVAL", "ARRIVAL"]
    assert truck(flow, first)["status"] == "STANDBY"
    assert order_id not in alerted()


def test_given_an_overdue_arrival_when_the_driver_then_reports_it_the_rescue_carries_on(flow):
    case_id, order_id, first = accepted_by_nearest(flow)
    wait_for(lambda: order(flow, case_id, order_id)["alerts"], what="the first alert")

    assert flow.api.call("POST", f"/tow/orders/{order_id}/arrived", tow_token(first), {}).status == 200
    completed = flow.api.call("POST", f"/tow/orders/{order_id}/completed", tow_token(first), {"dropoff": "RP01"})
    assert completed.status == 200 and completed.body["status"] == "COMPLETED"
    assert flow.finished(f"rescue-{case_id}-1") == "SUCCEEDED"
    assert truck(flow, first)["status"] == "STANDBY"


def escalated_rescue(flow: Any) -> tuple[dict, str]:
    """A tapped rescue that every truck asked declined, escalated to the dispatchers: (case, order id)."""
    case, rescue = open_rescue(flow)
    case_id, order_id = case["caseId"], rescue["orderId"]
    for count in range(1, config.load("rescue")["maxOffers"] + 1):
        asked = offered_to(flow, case_id, order_id, count)["offers"][-1]["truckId"]
        assert flow.api.call("POST", f"/tow/orders/{order_id}/decline", tow_token(asked), {}).status == 200
    status_becomes(flow, case_id, order_id, "ESCALATED")
    return case, order_id


def test_given_an_escalated_order_when_a_dispatcher_dispatches_it_again_then_a_new_round_asks_the_nearest_again(flow):
    case, order_id = escalated_rescue(flow)
    case_id = case["caseId"]
    path = f"/cases/{case_id}/rescue/{order_id}/redispatch"
    assert flow.api.call("POST", path, case["parties"][0]["token"]).status == 403  # a dispatcher's decision

    again = flow.api.call("POST", path, staff_token("dispatcher"))
    assert again.status == 200, again.body
    assert (again.body["status"], again.body["round"]) == ("SEARCHING", 2)
    assert flow.api.call("POST", path, staff_token("dispatcher")).status == 409  # not escalated any more
    first = nearest_trucks()[0]
    offered = offered_to(flow, case_id, order_id, 6)
    assert (offered["offers"][-1]["truckId"], offered["offers"][-1]["round"]) == (first, 2)
    assert flow.api.call("POST", f"/tow/orders/{order_id}/accept", tow_token(first)).status == 202
    assert status_becomes(flow, case_id, order_id, "ASSIGNED")["truck"]["truckId"] == first
    assert sorted(e["name"] for e in flow.executions()) == [f"rescue-{case_id}-1", f"rescue-{case_id}-1-r2"]


# --- the states a rescue passes through (each state transition is billed, ADR 0040) -------------

# Distinct from the arrival wait (4 s) and the alert wait (1 s): a completion wait taken from the
# wrong phase shows.
COMPLETION_SECONDS = 6


def _entered(flow: Any, name: str) -> list[tuple[str, dict]]:
    """(state, its input) for each state the run entered, in order, from its history."""
    import json

    from chalicelib.integrations.aws import client

    arn = flow.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
    events = client("stepfunctions").get_execution_history(executionArn=arn)["events"]
    return [(e["stateEnteredEventDetails"]["name"], json.loads(e["stateEnteredEventDetails"]["input"]))
            for e in events if "stateEnteredEventDetails" in e]


def _completion_takes(monkeypatch: Any, seconds: int) -> None:
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("RESCUE_COMPLETION_SECONDS", str(seconds))
    reset_settings()


def test_given_a_rescue_without_a_late_report_then_its_run_enters_five_states_and_waits_completion_seconds(flow, monkeypatch):
    _completion_takes(monkeypatch, COMPLETION_SECONDS)
    case_id, order_id, first = accepted_by_nearest(flow)
    status_becomes(flow, case_id, order_id, "ASSIGNED")
    assert flow.api.call("POST", f"/tow/orders/{order_id}/arrived", tow_token(first), {}).status == 200
    assert flow.api.call("POST", f"/tow/orders/{order_id}/completed", tow_token(first), {"dropoff": "RP02"}).status == 200
    name = f"rescue-{case_id}-1"
    assert flow.finished(name) == "SUCCEEDED"

    entered = _entered(flow, name)
    assert [state for state, _ in entered] == ["FindCandidates", "OfferNext", "AssignTruck", "AwaitArrival", "AwaitCompletion"]
    completion_watch = entered[-1][1]["watch"]
    assert completion_watch == {"alerts": 0, "passed": False, "waitSeconds": COMPLETION_SECONDS}


def test_given_an_arrival_reported_after_an_alert_then_the_completion_waits_completion_seconds_and_counts_alerts_afresh(
        flow, monkeypatch):
    _completion_takes(monkeypatch, COMPLETION_SECONDS)
    case_id, order_id, first = accepted_by_nearest(flow)
    wait_for(lambda: order(flow, case_id, order_id)["alerts"], what="the first arrival alert")
    assert flow.api.call("POST", f"/tow/orders/{order_id}/arrived", tow_token(first), {}).status == 200
    name = f"rescue-{case_id}-1"
    awaiting = wait_for(lambda: [i for s, i in _entered(flow, name) if s == "AwaitCompletion"], what="the completion wait")

    watch = awaiting[0]["watch"]
    assert watch["alerts"] == 0 and watch["waitSeconds"] == COMPLETION_SECONDS
    assert "WatchCompletion" not in [state for state, _ in _entered(flow, name)]
    assert flow.api.call("POST", f"/tow/orders/{order_id}/completed", tow_token(first), {"dropoff": "RP01"}).status == 200
    assert flow.finished(name) == "SUCCEEDED"
    assert {a["milestone"] for a in order(flow, case_id, order_id)["alerts"]} == {"ARRIVAL"}  # none for the completion
