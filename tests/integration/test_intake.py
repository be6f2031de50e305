"""POST /cases: screening, strict validation, idempotency, roles."""

from datetime import datetime, timedelta

import pytest

from tests.factories import CST, case_body, evidence_request, id_number, injury_case_body, party, photo, staff_token


def test_given_minor_scrape_when_reported_then_case_awaits_evidence_with_party_access(api):
    reply = api.create_case()
    assert reply.status == 201
    assert reply.body["status"] == "EVIDENCE_PENDING"
    assert reply.body["eligibility"] == {"remote": True, "selfSettlementAllowed": True, "reasons": []}
    assert len(reply.body["parties"]) == 2
    for access in reply.body["parties"]:
        assert access["link"].startswith(f"https://h5.example.test/h5/cases/{reply.body['caseId']}?token=")
        assert access["token"] in access["link"]


def test_given_drink_and_stuck_vehicle_when_reported_then_kept_as_referred_with_every_reason(api, officer):
    body = case_body(vehiclesMovable=False)
    body["screening"]["drinkOrDrugs"] = True
    reply = api.create_case(body)
    assert reply.status == 201
    assert reply.body["status"] == "REFERRED_ON_SCENE"
    assert not reply.body["eligibility"]["remote"]
    assert [r["code"] for r in reply.body["eligibility"]["reasons"]] == ["DRINK_OR_DRUGS", "VEHICLE_NOT_MOVABLE"]
    kept = api.call("GET", f"/cases/{reply.body['caseId']}", officer)
    assert kept.status == 200 and kept.body["status"] == "REFERRED_ON_SCENE"


def test_given_slight_injury_when_all_agree_then_remote_else_referred(api, officer):
    agreed = api.create_case(injury_case_body("SLIGHT", consents=(True, True))).body
    assert agreed["status"] == "EVIDENCE_PENDING"
    view = api.call("GET", f"/cases/{agreed['caseId']}", officer).body
    assert view["injurySeverity"] == "SLIGHT"
    assert [p["consentsToRemote"] for p in view["parties"]] == [True, True]
    refused = api.create_case(injury_case_body("SLIGHT", consents=(True, False))).body
    assert refused["status"] == "REFERRED_ON_SCENE"
    assert [r["code"] for r in refused["eligibility"]["reasons"]] == ["INJURY_NOT_AGREED"]
    kept = api.call("GET", f"/cases/{refused['caseId']}", officer).body
    assert [p["consentsToRemote"] for p in kept["parties"]] == [True, False]


@pytest.mark.parametrize(("severity", "code", "article"), [("FATAL", "DEATH", "第十三条"),
                                                           ("SERIOUS", "INJURY_NOT_SLIGHT", "第十三条、第二十三条")])
def test_given_a_death_or_serious_injury_when_everyone_consents_then_on_scene_with_the_reason_shown(api, officer, severity, code,
                                                                                                    article):
    created = api.create_case(injury_case_body(severity, consents=(True, True))).body
    assert created["status"] == "REFERRED_ON_SCENE"
    view = api.call("GET", f"/cases/{created['caseId']}", officer).body
    assert view["eligibility"]["remote"] is False
    assert [(r["code"], r["article"]) for r in view["eligibility"]["reasons"]] == [(code, article)]
    assert view["eligibility"]["reasons"][0]["text"]


def test_given_injuries_without_severity_or_a_consent_when_reported_then_400_naming_the_field(api):
    assert _field_error(api, case_body(injuries=True))[0] == "injurySeverity"
    body = injury_case_body()
    del body["parties"][1]["consentsToRemote"]
    assert _field_error(api, body)[0] == "parties[1].consentsToRemote"
    assert _field_error(api, case_body(injurySeverity="SLIGHT"))[0] == "injurySeverity"


def test_given_the_withdrawn_injury_agreed_remote_when_reported_then_400_naming_it(api):
    field, message = _field_error(api, case_body(injuries=True, injuryAgreedRemote=True))
    assert field == "injuryAgreedRemote" and "injurySeverity" in message


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00", 0, 1_764_000_000])
def test_given_an_accident_time_that_would_poison_the_case_when_reported_then_400(api, occurred_at):
    assert _field_error(api, case_body(occurredAt=occurred_at))[0] == "occurredAt"


def test_given_the_reporting_limit_when_an_accident_is_just_inside_or_outside_then_accepted_or_400(api):
    now = datetime.now(CST).replace(microsecond=0)
    assert api.create_case(case_body(occurredAt=(now - timedelta(hours=71)).isoformat())).status == 201
    field, message = _field_error(api, case_body(occurredAt=(now - timedelta(hours=73)).isoformat()))
    assert field == "occurredAt" and "72 hours" in message


def test_given_a_subnormal_evidence_latitude_when_declared_then_no_500(api):
    created = api.create_case().body
    token = created["parties"][0]["token"]
    reply = api.call("POST", f"/cases/{created['caseId']}/evidence", token,
                     evidence_request(photo(), "SCENE_PANORAMA", lat=1e-320, lng=120.1502))
    assert reply.status < 500, reply.body
    assert api.call("GET", f"/cases/{created['caseId']}", token).status == 200


def test_given_a_passport_holder_and_an_e_bike_when_reported_then_kept_and_shown(api, officer):
    ebike = party(1, kind="NON_MOTOR", vehicle={"plate": "盐城A12345", "type": "电动自行车"})
    created = api.create_case(case_body(parties=[party(0, idType="PASSPORT", idNumber="E12345678"), ebike]))
    assert created.status == 201, created.body
    view = api.call("GET", f"/cases/{created.body['caseId']}", officer).body
    assert (view["parties"][0]["idType"], view["parties"][0]["idNumber"]) == ("PASSPORT", "E12345678")
    assert view["parties"][1]["vehicle"]["plate"] == "盐城A12345"


def test_given_unknown_field_when_reported_then_400_naming_it(api):
    reply = api.create_case(case_body(colour="red"))
    assert reply.status == 400
    assert reply.body["error"]["code"] == "ValidationFailed"
    assert reply.body["error"]["field"] == "colour"


def _field_error(api, body):
    reply = api.create_case(body)
    assert reply.status == 400, reply.body
    return reply.body["error"]["field"], reply.body["error"]["message"]


def test_given_malformed_values_when_reported_then_400_names_the_field(api):
    assert _field_error(api, case_body(parties=[party(0, phone="1234")]))[0] == "parties[0].phone"
    bad_checksum = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    field, message = _field_error(api, case_body(parties=[party(0), party(1, idNumber=bad_checksum)]))
    assert (field, message) == ("parties[1].idNumber", "checksum does not match")
    body = case_body()
    body["parties"][0]["vehicle"]["plate"] = "XX12345"
    assert _field_error(api, body)[0] == "parties[0].vehicle.plate"
    body = case_body()
    body["location"]["lat"] = 91
    assert _field_error(api, body)[0] == "location.lat"
    assert _field_error(api, case_body(occurredAt="2026-10-01T08:30:00"))[0] == "occurredAt"
    assert _field_error(api, case_body(weather="sunny"))[0] == "weather"


def test_given_unknown_insurer_when_reported_then_400_on_that_vehicle(api):
    body = case_body()
    body["parties"][1]["vehicle"]["insurerCode"] = "NOPE"
    assert _field_error(api, body) == ("parties[1].vehicle.insurerCode", "unknown insurer code (see GET /insurers)")


def test_given_location_outside_served_area_when_reported_then_400(api):
    body = case_body()
    body["location"] = {"lat": 39.9, "lng": 116.4, "address": "北京市东城区"}
    assert _field_error(api, body)[0] == "location"


def test_given_motor_party_without_vehicle_when_reported_then_400(api):
    assert _field_error(api, case_body(parties=[party(0, vehicle=None)]))[0] == "parties[0]"


def test_given_not_json_when_reported_then_clear_4xx(api):
    assert api.call("POST", "/cases", staff_token("dispatcher"), "{not json").body["error"]["field"] == "body"
    reply = api.call("POST", "/cases", staff_token("dispatcher"), "x=1", headers={"Content-Type": "text/plain"})
    assert reply.status == 415


def test_given_no_token_or_wrong_role_when_reporting_then_401_or_403(api):
    assert api.call("POST", "/cases", None, case_body()).status == 401
    assert api.call("POST", "/cases", "garbage", case_body()).status == 401
    assert api.call("POST", "/cases", staff_token("supervisor"), case_body()).status == 403
    party_token = api.create_case().body["parties"][0]["token"]
    assert api.call("POST", "/cases", party_token, case_body()).status == 403


def test_given_idempotency_key_when_retried_then_first_reply_and_one_case(api, officer):
    body = case_body()
    first = api.create_case(body, **{"Idempotency-Key": "call-0001"})
    again = api.create_case(body, **{"Idempotency-Key": "call-0001"})
    assert first.status == again.status == 201
    assert again.body == first.body
    other = api.create_case(body, **{"Idempotency-Key": "call-0002"})
    assert other.body["caseId"] != first.body["caseId"]


def test_given_reused_key_with_other_body_when_posted_then_422(api):
    api.create_case(case_body(), **{"Idempotency-Key": "call-0003"})
    reply = api.create_case(case_body(weather="雨"), **{"Idempotency-Key": "call-0003"})
    assert reply.status == 422
    assert reply.body["error"]["field"] == "Idempotency-Key"


def test_given_duplicate_parties_when_reported_then_400(api):
    assert _field_error(api, case_body(parties=[party(0), party(0)]))[1].startswith("two parties have the same")
