"""The real local stack (`make run`) over HTTP: a new user's first story, then a restart."""

from __future__ import annotations

import time

import pytest
import requests

from tests.factories import case_body, evidence_request, photo
from tests.local_stack import RunningStack


@pytest.fixture
def state_dir(tmp_path):
    return tmp_path / "state"


def _call(method, url, token, body=None):
    return requests.request(method, url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_given_fresh_stack_when_minor_accident_reported_and_shot_then_in_queue_and_survives_restart(state_dir):
    stack = RunningStack(state_dir).start()
    try:
        dispatcher, officer = stack.token("dispatcher"), stack.token("officer")
        created = _call("POST", f"{stack.url}/cases", dispatcher, case_body())
        assert created.status_code == 201, created.text
        case_id = created.json()["caseId"]
        party = created.json()["parties"][0]["token"]
        assert created.json()["parties"][0]["link"].startswith(f"{stack.url}/h5/cases/{case_id}?token=")

        checklist = _call("GET", f"{stack.url}/cases/{case_id}", party).json()["evidence"]["checklist"]
        for seed, slot in enumerate(checklist):
            content = photo(seed, size=4096 + seed)
            requested = _call("POST", f"{stack.url}/cases/{case_id}/evidence", party,
                              evidence_request(content, slot["kind"], slot["partyId"]))
            assert requested.status_code == 201, requested.text
            upload = requested.json()["upload"]
            put = requests.put(upload["url"], data=content, headers=upload["headers"], timeout=10)
            assert put.status_code == 200, put.text
            done = _call("POST", f"{stack.url}/cases/{case_id}/evidence/{requested.json()['evidenceId']}/complete", party)
            assert done.status_code == 200, done.text
        assert done.json()["caseStatus"] == "AWAITING_DETERMINATION"

        queue = _call("GET", f"{stack.url}/portal/queue", officer).json()
        assert case_id in [c["caseId"] for c in queue["cases"]]
    finally:
        output = stack.stop()
    assert "stopped." in output

    again = RunningStack(state_dir)
    again.port, again.aws_port, again.url = stack.port, stack.aws_port, stack.url
    again.start()
    try:
        view = _call("GET", f"{again.url}/cases/{case_id}", again.token("officer"))
        assert view.status_code == 200
        assert view.json()["status"] == "AWAITING_DETERMINATION"
        assert all(item["status"] == "VERIFIED" for item in view.json()["evidence"]["checklist"])
        # reported; each shot requested, claimed for sealing, verified (ADR 0006); evidence complete
        assert len(view.json()["timeline"]) == 1 + 3 * len(checklist) + 1
        audit = _call("GET", f"{again.url}/cases/{case_id}/audit", again.token("officer")).json()
        assert audit["verification"]["valid"] is True
    finally:
        again.stop()


def test_given_upload_not_matching_its_declaration_when_completed_then_422_and_slot_still_missing(state_dir):
    stack = RunningStack(state_dir).start()
    try:
        created = _call("POST", f"{stack.url}/cases", stack.token("dispatcher"), case_body()).json()
        party = created["parties"][0]["token"]
        declared = photo(1)
        requested = _call("POST", f"{stack.url}/cases/{created['caseId']}/evidence", party,
                          evidence_request(declared, "SCENE_PANORAMA")).json()
        upload = requested["upload"]
        # Real S3 refuses this body (signed checksum); moto's S3 stores it, so the server's own check must catch it.
        requests.put(upload["url"], data=photo(2), headers=upload["headers"], timeout=10)
        done = _call("POST", f"{stack.url}/cases/{created['caseId']}/evidence/{requested['evidenceId']}/complete", party)
        assert done.status_code == 422
        assert done.json()["error"]["field"] == "sha256"
        view = _call("GET", f"{stack.url}/cases/{created['caseId']}", party).json()
        assert next(i for i in view["evidence"]["checklist"] if i["kind"] == "SCENE_PANORAMA")["status"] == "MISSING"
    finally:
        stack.stop()


def _wait_for(condition, seconds=30.0):
    """Poll a condition until it holds or the deadline passes; returns its last value."""
    deadline = time.monotonic() + seconds
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(0.2)
        value = condition()
    return value


def test_given_determined_case_when_running_locally_then_sandbox_insurer_is_notified_and_pays(state_dir):
    stack = RunningStack(state_dir).start()
    try:
        dispatcher, officer = stack.token("dispatcher"), stack.token("officer")
        created = _call("POST", f"{stack.url}/cases", dispatcher, case_body()).json()
        case_id, party = created["caseId"], created["parties"][0]
        for seed, slot in enumerate(_call("GET", f"{stack.url}/cases/{case_id}", party["token"]).json()["evidence"]["checklist"]):
            content = photo(seed)
            requested = _call("POST", f"{stack.url}/cases/{case_id}/evidence", party["token"],
                              evidence_request(content, slot["kind"], slot["partyId"])).json()
            requests.put(requested["upload"]["url"], data=content, headers=requested["upload"]["headers"], timeout=10)
            _call("POST", f"{stack.url}/cases/{case_id}/evidence/{requested['evidenceId']}/complete", party["token"])
        determined = _call("POST", f"{stack.url}/cases/{case_id}/determination", officer,
                           {"scenario": "REAR_END", "atFaultPartyId": party["partyId"], "facts": "甲方追尾乙方。"})
        assert determined.status_code == 201, determined.text

        def all_paid():
            claims = _call("GET", f"{stack.url}/cases/{case_id}", party["token"]).json()["claims"]
            return claims if claims and all(c["status"] == "PAID" for c in claims) else None

        claims = _wait_for(all_paid, seconds=45)
        assert claims, _call("GET", f"{stack.url}/cases/{case_id}", party["token"]).json()["claims"]
        assert {c["paidAmount"] for c in claims} == {180000}
        insurer = requests.get(f"{stack.url}/insurer/deliveries", timeout=10,
                               headers={"Authorization": f"Bearer {stack.token('insurer', 'PICC')}"}).json()
        assert any(d["topic"] == "claim.reported" and d["outcome"] == "DELIVERED" for d in insurer["deliveries"])
    finally:
        stack.stop()


def test_given_the_local_stack_when_a_party_taps_rescue_then_a_truck_takes_it_and_a_restart_frees_the_truck(state_dir):
    stack = RunningStack(state_dir).start()
    try:
        dispatcher = stack.token("dispatcher")
        created = _call("POST", f"{stack.url}/cases", dispatcher, case_body()).json()
        case_id, party = created["caseId"], created["parties"][0]
        pickup = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}
        tapped = _call("POST", f"{stack.url}/cases/{case_id}/rescue", party["token"], {"pickup": pickup, "destination": "RP01"})
        assert tapped.status_code == 201, tapped.text
        path = f"{stack.url}/cases/{case_id}/rescue/{tapped.json()['orderId']}"
        offered = _wait_for(lambda: _call("GET", path, party["token"]).json()["offers"], seconds=20)
        assert offered, _call("GET", path, party["token"]).json()
        truck_id = offered[0]["truckId"]
        driver = stack.token("tow", truck_id)
        assert _call("GET", f"{stack.url}/tow/offers", driver).json()["offers"][0]["caseId"] == case_id
        assert _call("POST", f"{stack.url}/tow/orders/{tapped.json()['orderId']}/accept", driver).status_code == 202
        assigned = _wait_for(lambda: _call("GET", path, party["token"]).json()["status"] == "ASSIGNED", seconds=20)
        assert assigned, _call("GET", path, party["token"]).json()
    finally:
        stack.stop()

    stack.start()  # the run did not survive the restart: its order ends and its truck is free again
    try:
        order = _call("GET", path, party["token"]).json()
        assert (order["status"], order["outcome"]) == ("FAILED", "LocalStackRestarted")
        trucks = _call("GET", f"{stack.url}/tow/trucks", stack.token("dispatcher")).json()["trucks"]
        assert next(t for t in trucks if t["truckId"] == truck_id)["status"] == "STANDBY"
    finally:
        stack.stop()
