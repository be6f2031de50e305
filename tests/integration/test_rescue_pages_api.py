"""What the dispatcher's board and the tow driver's page read that the rescue API did not offer:
the unit's area for the fleet map, and the job a truck is doing once it took an offer."""

from __future__ import annotations

from tests.factories import case_body, staff_token, tow_token, wait_for

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def test_given_a_dispatcher_then_the_area_is_the_units_box_from_the_jurisdictions(flow):
    reply = flow.api.call("GET", "/portal/rescue/area", staff_token("dispatcher"))
    assert reply.status == 200, reply.body
    assert reply.body == {"code": "320900", "name": "盐城市公安局交通警察支队",
                          "bbox": {"south": 32.57, "west": 119.45, "north": 34.47, "east": 120.95}}
    assert flow.api.call("GET", "/portal/rescue/area", tow_token("TT01")).status == 403


def test_given_a_truck_without_a_job_then_its_job_is_empty_and_it_sees_its_own_status(flow):
    reply = flow.api.call("GET", "/tow/job", tow_token("TT07"))
    assert reply.status == 200, reply.body
    assert reply.body["truck"]["truckId"] == "TT07" and reply.body["truck"]["status"] == "STANDBY"
    assert reply.body["order"] is None
    assert flow.api.call("GET", "/tow/job", staff_token("dispatcher")).status == 403
    assert flow.api.call("GET", "/tow/job", tow_token("TT99")).status == 404


def test_given_a_truck_that_took_an_offer_then_its_job_is_the_order_until_it_is_completed(flow):
    case = flow.api.create_case(case_body()).body
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    path = f"/cases/{case['caseId']}/rescue/{order['orderId']}"
    offered = wait_for(lambda: (o := flow.api.call("GET", path, staff_token("dispatcher")).body)["offers"] and o, what="an offer")
    truck_id = offered["offers"][0]["truckId"]
    assert flow.api.call("GET", "/tow/job", tow_token(truck_id)).body["order"] is None  # an offer is not a job yet
    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/accept", tow_token(truck_id)).status == 202

    job = wait_for(lambda: (j := flow.api.call("GET", "/tow/job", tow_token(truck_id)).body)["order"] and j, what="the job")
    assert job["order"]["orderId"] == order["orderId"] and job["order"]["status"] == "ASSIGNED"
    assert job["truck"]["status"] == "BUSY"
    other = "TT49" if truck_id != "TT49" else "TT48"
    assert flow.api.call("GET", "/tow/job", tow_token(other)).body["order"] is None

    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/arrived", tow_token(truck_id), {}).status == 200
    assert flow.api.call("GET", "/tow/job", tow_token(truck_id)).body["order"]["status"] == "ARRIVED"
    assert flow.api.call("POST", f"/tow/orders/{order['orderId']}/completed", tow_token(truck_id), {"dropoff": "RP01"}).status == 200
    done = flow.api.call("GET", "/tow/job", tow_token(truck_id)).body
    assert done["order"] is None and done["truck"]["status"] == "STANDBY"
