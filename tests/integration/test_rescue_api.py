"""Given the rescue endpoints, bad input gets a specific 4xx and changes nothing; trucks move in the index."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import case_body, party, staff_token, tow_token, wait_for

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def _case(flow: Any, parties: list[dict] | None = None) -> dict:
    reply = flow.api.create_case(case_body(parties) if parties else case_body())
    assert reply.status == 201, reply.body
    return reply.body


def _orders(case_id: str) -> list:
    from chalicelib.store import cases

    return cases.load(case_id).rescues


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "pickup"),
        ({"pickup": {"lat": 91, "lng": 120.1, "address": "某地某路"}}, "pickup.lat"),
        ({"pickup": {**PICKUP, "address": ""}}, "pickup.address"),
        ({"pickup": PICKUP, "destination": "NOPE"}, "destination"),
        ({"pickup": PICKUP, "partyId": "PUNKNOWN1"}, "partyId"),
        ({"pickup": PICKUP, "color": "red"}, "color"),
        ({"pickup": {"lat": 32.0603, "lng": 118.7969, "address": "南京市玄武区中山路"}}, "pickup"),  # another city
    ],
)
def test_given_a_bad_rescue_request_then_it_is_refused_by_field_and_nothing_is_written(flow, body, field):
    case = _case(flow)
    reply = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert _orders(case["caseId"]) == []
    assert flow.executions() == []


def test_given_staff_without_naming_a_vehicle_then_the_request_says_which_field_is_missing(flow):
    case = _case(flow)
    reply = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", staff_token("officer"), {"pickup": PICKUP})
    assert reply.status == 400 and reply.body["error"]["field"] == "partyId"


def test_given_a_pedestrian_then_there_is_no_vehicle_to_tow(flow):
    case = _case(flow, [party(0), party(1, kind="PEDESTRIAN", vehicle=None)])
    pedestrian = case["parties"][1]
    reply = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", pedestrian["token"], {"pickup": PICKUP})
    assert reply.status == 400 and reply.body["error"]["field"] == "partyId"


def test_given_another_cases_party_or_an_unrelated_truck_then_the_order_does_not_exist_for_them(flow):
    case, other = _case(flow), _case(flow)
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    path = f"/cases/{case['caseId']}/rescue/{order['orderId']}"
    assert flow.api.call("GET", path, other["parties"][0]["token"]).status == 404
    assert flow.api.call("GET", path, tow_token("TT49")).status == 404
    assert flow.api.call("GET", path, case["parties"][1]["token"]).status == 200  # the other party of the same case
    assert flow.api.call("POST", "/tow/orders/RSNOSUCHORDER1/accept", tow_token("TT01")).status == 404


def test_given_no_state_machine_configured_then_the_tap_is_refused_with_503_and_nothing_written(flow, monkeypatch):
    from chalicelib.settings import reset_settings

    case = _case(flow)
    monkeypatch.delenv("RESCUE_STATE_MACHINE_ARN")
    reset_settings()
    reply = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP})
    assert reply.status == 503 and reply.body["error"]["code"] == "Unavailable"
    assert _orders(case["caseId"]) == []


def test_given_roles_then_only_police_see_the_fleet_and_the_queue_and_only_tow_staff_answer_offers(flow):
    party_token = _case(flow)["parties"][0]["token"]
    assert flow.api.call("GET", "/tow/trucks", tow_token("TT01")).status == 403
    assert flow.api.call("GET", "/tow/trucks", party_token).status == 403
    assert flow.api.call("GET", "/portal/rescue", tow_token("TT01")).status == 403
    assert flow.api.call("GET", "/tow/offers", staff_token("dispatcher")).status == 403
    assert flow.api.call("GET", "/portal/rescue?status=LOST", staff_token("dispatcher")).status == 400
    fleet = flow.api.call("GET", "/tow/trucks", staff_token("dispatcher")).body["trucks"]
    assert len(fleet) == 49 and {t["status"] for t in fleet} == {"STANDBY"}


def test_given_the_fleet_when_listed_by_pages_then_every_truck_once_and_bad_pages_refused(flow):
    dispatcher = staff_token("dispatcher")
    pages, token = [], None
    while True:
        page = flow.api.call("GET", "/tow/trucks?limit=20" + (f"&nextToken={token}" if token else ""), dispatcher)
        assert page.status == 200, page.body
        pages.append([t["truckId"] for t in page.body["trucks"]])
        token = page.body["nextToken"]
        if not token:
            break
    seen = [truck_id for page in pages for truck_id in page]
    assert [len(page) for page in pages][:2] == [20, 20] and len(seen) == len(set(seen)) == 49
    for bad, field in (("limit=0", "limit"), ("limit=501", "limit"), ("nextToken=not-ours", "nextToken")):
        refused = flow.api.call("GET", f"/tow/trucks?{bad}", dispatcher)
        assert refused.status == 400 and refused.body["error"]["field"] == field, (bad, refused.body)


def test_given_a_truck_when_it_reports_a_position_then_the_search_finds_it_there(flow):
    from chalicelib.domain import geo
    from chalicelib.services.rescue.order import rules
    from chalicelib.store import fleet

    far = {"lat": 34.2, "lng": 120.9}  # about 110 km north-east of the city: no truck there
    assert fleet.nearest_standby(geo.Point(**far), rules()) == []
    moved = flow.api.call("PUT", "/tow/trucks/TT07/position", tow_token("TT07"), far)
    assert moved.status == 200, moved.body
    assert moved.body["positionAt"] and moved.body["status"] == "STANDBY"
    assert [c.truck_id for c in fleet.nearest_standby(geo.Point(**far), rules())] == ["TT07"]

    off = flow.api.call("PUT", "/tow/trucks/TT07/position", tow_token("TT07"), {**far, "onDuty": False})
    assert off.body["status"] == "OFFLINE"
    assert fleet.nearest_standby(geo.Point(**far), rules()) == []
    on = flow.api.call("PUT", "/tow/trucks/TT07/position", tow_token("TT07"), {**far, "onDuty": True})
    assert on.body["status"] == "STANDBY"


def test_given_a_tow_token_then_it_may_move_only_its_own_truck_and_positions_are_checked(flow):
    assert flow.api.call("PUT", "/tow/trucks/TT08/position", tow_token("TT07"), {"lat": 33.4, "lng": 120.1}).status == 403
    bad = flow.api.call("PUT", "/tow/trucks/TT07/position", tow_token("TT07"), {"lat": 33.4, "lng": 190})
    assert bad.status == 400 and bad.body["error"]["field"] == "lng"
    assert flow.api.call("PUT", "/tow/trucks/TT99/position", tow_token("TT99"), {"lat": 33.4, "lng": 120.1}).status == 404


def test_given_a_busy_truck_then_it_cannot_go_off_duty_and_completion_needs_arrival_first(flow):
    from tests.factories import wait_for

    case = _case(flow)
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    path = f"/cases/{case['caseId']}/rescue/{order['orderId']}"
    offered = wait_for(lambda: (o := flow.api.call("GET", path, staff_token("dispatcher")).body)["offers"] and o, what="an offer")
    truck_id = offered["offers"][0]["truckId"]
    off = flow.api.call("PUT", f"/tow/trucks/{truck_id}/position", tow_token(truck_id), {**{"lat": 33.4, "lng": 120.1}, "onDuty": False})
    assert off.status == 409 and off.body["error"]["field"] == "onDuty"
    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/accept", tow_token(truck_id)).status == 202
    wait_for(lambda: flow.api.call("GET", path, staff_token("dispatcher")).body["status"] == "ASSIGNED", what="assignment")

    early = flow.api.call("POST", f"/tow/orders/{order['orderId']}/completed", tow_token(truck_id), {"dropoff": "RP01"})
    assert early.status == 409 and early.body["error"]["field"] == "status"
    bad_shop = flow.api.call("POST", f"/tow/orders/{order['orderId']}/completed", tow_token(truck_id), {"dropoff": "XX"})
    assert bad_shop.status == 400 and bad_shop.body["error"]["field"] == "dropoff"
    other = "TT49" if truck_id != "TT49" else "TT48"
    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/arrived", tow_token(other), {}).status == 404
    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/arrived", tow_token(truck_id), {}).status == 200
    again = flow.api.call("POST", f"/tow/orders/{order['orderId']}/arrived", tow_token(truck_id), {})
    assert again.status == 200 and again.body["status"] == "ARRIVED"  # a repeated report changes nothing


def test_given_a_rescue_then_the_case_timeline_and_audit_chain_record_it(flow):
    from tests.factories import wait_for

    case = _case(flow)
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    wait_for(lambda: flow.api.call("GET", f"/cases/{case['caseId']}/rescue/{order['orderId']}", staff_token("dispatcher")).body["offers"],
             what="an offer")
    audit = flow.api.call("GET", f"/cases/{case['caseId']}/audit", staff_token("officer")).body
    actions = [e["action"] for e in audit["entries"]]
    assert actions[-3:] == ["RESCUE_REQUESTED", "RESCUE_CANDIDATES_FOUND", "RESCUE_OFFERED"]
    assert audit["verification"]["valid"] is True
    timeline = flow.api.call("GET", f"/cases/{case['caseId']}", case["parties"][0]["token"]).body["timeline"]
    assert "已向最近的救援车辆派单" in [t["text"] for t in timeline]


def test_given_a_rescue_then_the_rescued_vehicles_insurer_sees_it_and_the_other_insurer_does_not(flow):
    case = _case(flow)  # party 0 is insured by PICC, party 1 by PAIC
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    picc = flow.api.call("GET", f"/insurer/cases/{case['caseId']}", staff_token("insurer", org="PICC")).body
    assert [r["orderId"] for r in picc["rescues"]] == [order["orderId"]]
    paic = flow.api.call("GET", f"/insurer/cases/{case['caseId']}", staff_token("insurer", org="PAIC")).body
    assert paic["rescues"] == []


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}])
def test_given_a_dispatcher_closing_an_order_without_a_reason_then_refused_by_field_and_the_order_stays_open(flow, body):
    case = _case(flow)
    opened = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP})
    assert opened.status == 201, opened.body
    order_id = opened.body["orderId"]
    wait_for(lambda: _orders(case["caseId"])[0].status == "OFFERED", timeout=30, what="the first offer")  # the run under way
    reply = flow.api.call("POST", f"/cases/{case['caseId']}/rescue/{order_id}/cancel", staff_token("dispatcher"), body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == "reason"
    assert [o.status for o in _orders(case["caseId"])] == ["OFFERED"]
    party_cancels = flow.api.call("POST", f"/cases/{case['caseId']}/rescue/{order_id}/cancel", case["parties"][0]["token"], {})
    assert party_cancels.status == 200 and party_cancels.body["status"] == "CANCELLED"  # a party need not say why
