"""Who sees what: masking for other parties, 404 across cases, audit chain, queue, partners."""

import io
import json
import logging

from chalicelib.store import audit
from chalicelib.store.models import AuditItem
from tests.factories import case_body, injury_case_body, staff_token


def test_given_party_when_reading_case_then_own_data_plain_and_others_masked(api):
    body = case_body()
    created = api.create_case(body).body
    view = api.call("GET", f"/cases/{created['caseId']}", created["parties"][0]["token"]).body
    me, other = view["parties"]
    mine = body["parties"][0]
    assert (me["name"], me["phone"], me["idNumber"]) == (mine["name"], mine["phone"], mine["idNumber"])
    assert me["vehicle"]["plate"] == body["parties"][0]["vehicle"]["plate"]
    assert other["name"] == "李*"
    assert other["phone"] == "138****5671"
    assert other["idNumber"].startswith("320") and other["idNumber"].count("*") == 11
    assert other["vehicle"]["plate"] == "苏J1***6"
    assert other["vehicle"]["policyNo"] is None
    assert [c["status"] for c in view["evidence"]["checklist"]] == ["MISSING"] * 7
    assert view["timeline"][0] == {"at": view["reportedAt"], "action": "CASE_REPORTED", "text": "事故已受理", "actorRole": "dispatcher"}


def test_given_officer_when_reading_case_then_everything_plain(api, officer):
    body = case_body()
    created = api.create_case(body).body
    view = api.call("GET", f"/cases/{created['caseId']}", officer).body
    assert [p["phone"] for p in view["parties"]] == [p["phone"] for p in body["parties"]]


def test_given_party_of_case_a_when_touching_case_b_then_404_never_the_case(api):
    case_a = api.create_case().body
    case_b = api.create_case().body
    token_a = case_a["parties"][0]["token"]
    path_b = f"/cases/{case_b['caseId']}"
    reply = api.call("GET", path_b, token_a)
    assert reply.status == 404 and reply.body["error"]["code"] == "NotFound"
    assert "parties" not in json.dumps(reply.body)
    upload = {"kind": "SCENE_PANORAMA", "contentType": "image/jpeg", "size": 10, "sha256": "0" * 64,
              "capturedAt": case_b and "2026-11-25T10:00:00+08:00", "lat": 33.38, "lng": 120.15}
    assert api.call("POST", f"{path_b}/evidence", token_a, upload).status == 404
    assert api.call("GET", "/cases/YC000000NOSUCHID", token_a).status == 404


def test_given_officer_of_other_unit_when_reading_then_404(api):
    created = api.create_case().body
    elsewhere = staff_token("officer", jurisdiction="320100")
    assert api.call("GET", f"/cases/{created['caseId']}", elsewhere).status == 404


def test_given_partner_or_party_when_reading_audit_or_queue_then_403(api):
    created = api.create_case().body
    party = created["parties"][0]["token"]
    assert api.call("GET", f"/cases/{created['caseId']}/audit", party).status == 403
    assert api.call("GET", "/portal/queue", party).status == 403
    assert api.call("GET", "/portal/queue", staff_token("dispatcher")).status == 403
    insurer = staff_token("insurer", org="PICC")  # insurers read their own view: /insurer/cases/{caseId}
    assert api.call("GET", f"/cases/{created['caseId']}", insurer).status == 403


def test_given_case_history_when_audited_then_chain_valid_and_tamper_detected(api, officer):
    created = api.create_case().body
    path = f"/cases/{created['caseId']}/audit"
    log = api.call("GET", path, officer).body
    assert log["verification"] == {"valid": True, "entries": 1, "brokenAt": None, "reason": None}
    assert log["entries"][0]["prevHash"] == "0" * 64
    assert log["head"] == log["entries"][0]["hash"]

    entry = AuditItem.get(*audit.entry_key(created["caseId"], 1))
    entry.update(actions=[AuditItem.actor.set("dispatcher:SOMEONE_ELSE")])
    tampered = api.call("GET", path, officer).body
    assert tampered["verification"]["valid"] is False
    assert tampered["verification"]["brokenAt"] == 1


def test_given_cases_awaiting_when_officer_pages_the_queue_then_oldest_first(api, officer):
    from chalicelib.store import cases as store

    ids = []
    for _ in range(3):
        case_id = api.create_case().body["caseId"]
        store.mutate(
            store.Principal(subject="T", role="officer", jurisdiction="320900"),
            case_id,
            lambda record: store.Change(action="EVIDENCE_COMPLETE", new_status="AWAITING_DETERMINATION"),
        )
        ids.append(case_id)
    first = api.call("GET", "/portal/queue?limit=2", officer).body
    assert [c["caseId"] for c in first["cases"]] == ids[:2]
    rest = api.call("GET", f"/portal/queue?limit=2&nextToken={first['nextToken']}", officer).body
    assert [c["caseId"] for c in rest["cases"]] == ids[2:]
    assert api.call("GET", "/portal/queue?limit=0", officer).body["error"]["field"] == "limit"
    assert api.call("GET", "/portal/queue?nextToken=%25%25", officer).status == 400


def test_given_any_authenticated_caller_when_listing_partners_then_seeded_lists(api):
    token = api.create_case().body["parties"][0]["token"]
    insurers = api.call("GET", "/insurers", token).body["items"]
    assert len(insurers) == 23 and {"code": "PICC", "name": "中国人民财产保险股份有限公司"} in insurers
    hospitals = api.call("GET", "/hospitals", token).body["items"]
    assert len(hospitals) == 6 and all(h["directPay"] is True for h in hospitals)
    assert len(api.call("GET", "/service-points", token).body["items"]) == 4
    assert api.call("GET", "/insurers").status == 401


def test_given_a_hospital_outside_direct_pay_then_listed_as_such_and_not_accepted_for_an_application(api, monkeypatch):
    from chalicelib.settings import reset_settings
    from chalicelib.store.models import ReferenceItem
    from chalicelib.store.reference import ref_key

    # configured, never started: the hospital is refused before any run is asked for
    monkeypatch.setenv("MEDICAL_STATE_MACHINE_ARN", "arn:aws:states:ap-east-1:123456789012:stateMachine:medical")
    reset_settings()

    ReferenceItem(ref_key("HOSPITAL"), "YCH99", code="YCH99", name="盐城市某民营医院", attributes={"directPay": False}).save()
    created = api.create_case(injury_case_body()).body
    token = created["parties"][1]["token"]
    listed = {h["code"]: h["directPay"] for h in api.call("GET", "/hospitals", token).body["items"]}
    assert listed["YCH99"] is False and listed["YCH01"] is True
    applied = api.call("POST", f"/cases/{created['caseId']}/medical", token,
                       {"injuredPartyId": created["parties"][1]["partyId"], "hospitalCode": "YCH99", "injuryDescription": "右手腕肿痛"})
    assert applied.status == 400 and applied.body["error"]["field"] == "hospitalCode"


def test_given_health_and_openapi_when_fetched_then_ready_and_described(api):
    assert api.call("GET", "/health").body == {"status": "ok", "seeded": True}
    spec = api.call("GET", "/openapi.json").body
    assert spec["openapi"].startswith("3.")
    create = spec["paths"]["/cases"]["post"]
    schema_name = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"][schema_name]
    assert {"occurredAt", "location", "parties", "screening"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False
    assert "/cases/{caseId}/evidence/{evidenceId}/complete" in spec["paths"]


def test_given_requests_with_personal_data_when_logged_at_debug_then_masked(api):
    from chalicelib.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    root = logging.getLogger()
    previous = root.level
    for target in (root, logger._logger):
        target.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logger.setLevel("DEBUG")
    try:
        body = case_body()
        created = api.create_case(body).body
        api.call("GET", f"/cases/{created['caseId']}", created["parties"][0]["token"])
        bad = case_body()
        bad["parties"][0]["phone"] = "13900001111x"
        api.create_case(bad)
    finally:
        for target in (root, logger._logger):
            target.removeHandler(handler)
        root.setLevel(previous)
        logger.setLevel("INFO")
    output = buffer.getvalue()
    assert created["caseId"] in output
    assert '"status":400' in output.replace(" ", "")
    for secret in (body["parties"][0]["phone"], body["parties"][0]["idNumber"], body["parties"][0]["name"],
                   body["parties"][0]["vehicle"]["plate"], "13900001111"):
        assert secret not in output


def test_given_wrong_method_when_called_then_405_in_the_error_shape(api):
    reply = api.call("DELETE", "/health")
    assert reply.status == 405
    assert reply.body["error"]["code"] == "MethodNotAllowed"


def test_given_unexpected_failure_when_handled_then_500_in_the_error_shape_without_details(api, monkeypatch):
    from chalicelib.services import views

    def broken(principal, case_id):
        raise RuntimeError("13812345670 leaked?")

    monkeypatch.setattr(views, "case_view", broken)
    reply = api.call("GET", "/cases/YC1", staff_token("officer"))
    assert reply.status == 500
    assert reply.body == {"error": {"code": "InternalError", "message": "an internal error occurred", "field": None}}
