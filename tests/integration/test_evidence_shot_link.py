"""Police look at each shot: `GET /cases/{id}/evidence/{evidenceId}` gives where and when it was
taken and a short-lived presigned GET of the sealed copy (the portal's thumbnails)."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from tests.factories import photo


def test_given_a_verified_shot_when_an_officer_opens_it_then_gps_time_and_a_link_to_the_sealed_bytes(api, officer):
    created = api.case_awaiting_determination()
    case = api.call("GET", f"/cases/{created['caseId']}", officer).body
    first = case["evidence"]["items"][0]
    reply = api.call("GET", f"/cases/{created['caseId']}/evidence/{first['evidenceId']}", officer)
    assert reply.status == 200, reply.body
    shot = reply.body
    assert (shot["evidenceId"], shot["kind"], shot["status"], shot["capturedAt"]) == (
        first["evidenceId"], first["kind"], "VERIFIED", first["capturedAt"])
    assert -90 <= shot["lat"] <= 90 and -180 <= shot["lng"] <= 180
    assert datetime.fromisoformat(shot["expiresAt"]) > datetime.now(UTC)
    fetched = requests.get(shot["url"], timeout=30)
    assert fetched.status_code == 200 and fetched.content == photo(0)


def test_given_a_party_or_an_unknown_shot_when_opening_then_refused(api, officer):
    created = api.case_awaiting_determination()
    case = api.call("GET", f"/cases/{created['caseId']}", officer).body
    evidence_id = case["evidence"]["items"][0]["evidenceId"]
    assert api.call("GET", f"/cases/{created['caseId']}/evidence/{evidence_id}", created["parties"][0]["token"]).status == 403
    missing = api.call("GET", f"/cases/{created['caseId']}/evidence/EV-NOPE", officer)
    assert missing.status == 404 and missing.body["error"]["field"] == "evidenceId"


def test_given_a_shot_not_yet_sealed_when_opening_then_no_link_yet(api, officer):
    created = api.create_case().body
    token = created["parties"][0]["token"]
    slot = api.checklist(created["caseId"], token)[0]
    evidence_id = api.shoot(created["caseId"], token, slot, 0)
    shot = api.call("GET", f"/cases/{created['caseId']}/evidence/{evidence_id}", officer).body
    assert shot["status"] != "VERIFIED" and shot["url"] is None and shot["expiresAt"] is None
