"""Given a determined injury case (Liu reverses into Sun, who breaks her wrist), when Sun applies for
direct pay, then the real workflow waits for the officer, issues the QR code, admits her on the
hospital's scan (once), takes the bills inside the covered window and ends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import stop_runs
from tests.factories import injury_case_body, staff_token, wait_for


def forge(token: str) -> str:
    """The token with one character of its signature changed."""
    body, signature = token.rsplit(".", 1)
    return f"{body}.{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"


LIU, SUN = 0, 1
HOSPITAL = "YCH01"


def hospital_token(code: str = HOSPITAL) -> str:
    import os

    from chalicelib.domain.principals import Principal, Role
    from chalicelib.domain.tokens import issue

    principal = Principal(subject=f"hospital-{code}", role=Role.HOSPITAL, org=code)
    return issue(principal, os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


@pytest.fixture
def medical(flow, monkeypatch):
    """The flow fixture with the direct-pay workflow wired, its waits short; its runs end with the test."""
    from chalicelib.settings import reset_settings
    from infra.local import resources

    machine = resources.ensure_state_machines()["medical"]
    for key, value in {"MEDICAL_STATE_MACHINE_ARN": machine, "MEDICAL_APPROVAL_SECONDS": "12",
                       "MEDICAL_BILLING_SECONDS": "12"}.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    flow.medical_machine = machine
    yield flow
    stop_runs(machine)


def run_status(flow: Any, name: str) -> str:
    from chalicelib.integrations.aws import client

    arn = flow.medical_machine.replace(":stateMachine:", ":execution:") + f":{name}"
    return str(client("stepfunctions").describe_execution(executionArn=arn)["status"])


def finished(flow: Any, name: str) -> str:
    return str(wait_for(lambda: (s := run_status(flow, name)) != "RUNNING" and s, 20, what=f"{name} to finish"))


def determined_injury_case(flow: Any) -> dict:
    body = injury_case_body()
    body["parties"][LIU]["name"], body["parties"][SUN]["name"] = "刘强", "孙丽"
    created = flow.api.case_awaiting_determination(body)
    liu = created["parties"][LIU]["partyId"]
    determined = flow.api.call("POST", f"/cases/{created['caseId']}/determination", staff_token("officer"),
                               {"scenario": "REVERSING", "facts": "甲方车辆倒车时撞到乙方，乙方手腕受伤。", "atFaultPartyId": liu})
    assert determined.status == 201, determined.body
    return created


def apply(flow: Any, case: dict, token: str | None = None, **body: Any) -> Any:
    sun = case["parties"][SUN]
    payload = {"injuredPartyId": sun["partyId"], "hospitalCode": HOSPITAL, "injuryDescription": "右手腕骨折", **body}
    return flow.api.call("POST", f"/cases/{case['caseId']}/medical", token or sun["token"], payload)


def waiting_for(flow: Any, case: dict, application_id: str, milestone: str) -> dict:
    """The application once its run's step waits for `milestone` (the token is stored on it)."""
    from chalicelib.store import cases as store

    def waits() -> Any:
        application = store.load(case["caseId"]).medical_application(application_id)
        return application is not None and application.waiting is not None and application.waiting.milestone == milestone
    return wait_for(waits, 20, what=f"the run to wait for {milestone}")


def approved(flow: Any, case: dict) -> dict:
    applied = apply(flow, case)
    assert applied.status == 201, applied.body
    application_id = applied.body["applicationId"]
    waiting_for(flow, case, application_id, "APPROVAL")
    reply = flow.api.call("POST", f"/medical/{application_id}/approve", staff_token("officer"))
    assert reply.status == 200, reply.body
    return reply.body


def ledger(flow: Any, case: dict, token: str) -> Any:
    return flow.api.call("GET", f"/cases/{case['caseId']}/medical", token)


def test_given_an_approved_application_when_the_hospital_scans_and_bills_then_the_run_ends_billed(medical):
    case = determined_injury_case(medical)
    sun = case["parties"][SUN]
    application = approved(medical, case)
    application_id = application["applicationId"]
    assert application["status"] == "APPROVED" and application["qrToken"] and application["noticeDocumentId"]
    assert medical.api.call("GET", f"/verify/{application['noticeDocumentId']}").body["genuine"] is True
    shown = ledger(medical, case, sun["token"]).body["applications"][0]
    assert shown["qrToken"] == application["qrToken"] and shown["noticeDocumentId"] == application["noticeDocumentId"]

    waiting_for(medical, case, application_id, "ADMISSION")
    scanned = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": application["qrToken"]})
    assert scanned.status == 200, scanned.body
    admission_id = scanned.body["admissionId"]
    assert scanned.body["applicationId"] == application_id

    waiting_for(medical, case, application_id, "BILLS")
    items = [{"name": "急诊挂号", "amount": 5_00}, {"name": "腕部X光", "amount": 180_00},
             {"name": "石膏固定", "amount": 650_50, "serviceDate": datetime.now(UTC).isoformat()}]
    billed = medical.api.call("POST", f"/hospital/admissions/{admission_id}/bills", hospital_token(), {"items": items})
    assert billed.status == 200, billed.body
    assert billed.body["billed"] == 835_50 and billed.body["directPayWindow"] == 835_50
    assert finished(medical, f"medical-{case['caseId']}-{sun['partyId']}") == "SUCCEEDED"

    for reader in (sun["token"], staff_token("officer"), hospital_token()):
        line = ledger(medical, case, reader).body
        assert line["totals"]["billed"] == 835_50 and line["totals"]["outstanding"] == 835_50
        assert line["applications"][0]["status"] == "BILLED"
    assert ledger(medical, case, hospital_token()).body["applications"][0]["qrToken"] is None
    assert ledger(medical, case, hospital_token("YCH02")).status == 404
    assert ledger(medical, case, case["parties"][LIU]["token"]).body["applications"] == []
    timeline = medical.api.call("GET", f"/cases/{case['caseId']}/timeline", sun["token"], None).body["entries"]
    actions = [e["action"] for e in timeline]
    for action in ("MEDICAL_REQUESTED", "MEDICAL_APPROVED", "DOCUMENT_ISSUED", "MEDICAL_ADMITTED", "MEDICAL_BILLED"):
        assert action in actions, action


def test_given_an_application_when_the_officer_rejects_then_the_run_ends_and_no_code_is_issued(medical):
    case = determined_injury_case(medical)
    sun = case["parties"][SUN]
    application_id = apply(medical, case).body["applicationId"]
    waiting_for(medical, case, application_id, "APPROVAL")
    rejected = medical.api.call("POST", f"/medical/{application_id}/reject", staff_token("officer"), {"reason": "伤情不符合急诊直赔条件"})
    assert rejected.status == 200, rejected.body
    assert rejected.body["status"] == "REJECTED" and rejected.body["qrToken"] is None
    assert finished(medical, f"medical-{case['caseId']}-{sun['partyId']}") == "SUCCEEDED"
    again = medical.api.call("POST", f"/medical/{application_id}/approve", staff_token("officer"))
    assert again.status == 409 and again.body["error"]["code"] == "Conflict"


def test_given_a_code_not_scanned_in_time_when_the_hospital_scans_then_it_has_expired_and_the_application_lapsed(medical, monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("MEDICAL_QR_VALIDITY_SECONDS", "2")
    reset_settings()
    case = determined_injury_case(medical)
    sun = case["parties"][SUN]
    application = approved(medical, case)
    assert finished(medical, f"medical-{case['caseId']}-{sun['partyId']}") == "SUCCEEDED"
    scanned = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": application["qrToken"]})
    assert scanned.status == 410 and scanned.body["error"]["code"] == "QrExpired", scanned.body
    assert ledger(medical, case, sun["token"]).body["applications"][0]["status"] == "LAPSED"


def test_given_a_scanned_code_when_it_is_scanned_again_then_it_is_refused_as_already_redeemed(medical):
    case = determined_injury_case(medical)
    token = approved(medical, case)["qrToken"]
    first = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": token})
    assert first.status == 200, first.body
    replayed = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": token})
    assert replayed.status == 409 and replayed.body["error"]["code"] == "QrAlreadyRedeemed", replayed.body


def test_given_two_scans_at_once_when_both_verify_then_exactly_one_admits(medical):
    case = determined_injury_case(medical)
    token = approved(medical, case)["qrToken"]
    replies: list[Any] = []
    scans = [threading.Thread(target=lambda: replies.append(
        medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": token}))) for _ in range(2)]
    for scan in scans:
        scan.start()
    for scan in scans:
        scan.join()
    assert sorted(r.status for r in replies) == [200, 409]


def test_given_a_code_for_another_hospital_or_a_forged_one_when_scanned_then_each_is_refused_with_its_reason(medical):
    case = determined_injury_case(medical)
    token = approved(medical, case)["qrToken"]
    other = medical.api.call("POST", "/hospital/scan", hospital_token("YCH02"), {"token": token})
    assert other.status == 403 and other.body["error"]["code"] == "QrWrongHospital", other.body
    forged = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": forge(token)})
    assert forged.status == 422 and forged.body["error"]["code"] == "QrForged", forged.body
    garbage = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": "not-a-token-at-all"})
    assert garbage.status == 422 and garbage.body["error"]["code"] == "QrForged"
    genuine = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": token})
    assert genuine.status == 200, genuine.body  # the refused scans redeemed nothing


def test_given_an_application_when_the_person_applies_again_even_at_once_then_the_first_is_returned(medical):
    case = determined_injury_case(medical)
    replies: list[Any] = []
    callers = [threading.Thread(target=lambda: replies.append(apply(medical, case))) for _ in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert sorted(r.status for r in replies) == [200, 200, 201]
    assert len({r.body["applicationId"] for r in replies}) == 1
    by_officer = apply(medical, case, staff_token("officer"), hospitalCode="YCH02")
    assert by_officer.status == 200 and by_officer.body["applicationId"] == replies[0].body["applicationId"]
    assert len(ledger(medical, case, staff_token("officer")).body["applications"]) == 1
    from chalicelib.integrations.aws import client

    runs = client("stepfunctions").list_executions(stateMachineArn=medical.medical_machine)["executions"]
    assert [r["name"] for r in runs] == [f"medical-{case['caseId']}-{case['parties'][SUN]['partyId']}"]


def test_given_an_application_when_anyone_but_an_officer_of_the_unit_decides_then_they_are_refused(medical):
    case = determined_injury_case(medical)
    sun, liu = case["parties"][SUN], case["parties"][LIU]
    application_id = apply(medical, case).body["applicationId"]
    for token, status in ((staff_token("dispatcher"), 403), (sun["token"], 403), (hospital_token(), 403),
                          (staff_token("officer", jurisdiction="320100"), 404)):
        reply = medical.api.call("POST", f"/medical/{application_id}/approve", token)
        assert reply.status == status, (reply.status, reply.body)
    for_someone_else = medical.api.call("POST", f"/cases/{case['caseId']}/medical", liu["token"],
                                        {"injuredPartyId": sun["partyId"], "hospitalCode": HOSPITAL, "injuryDescription": "手腕"})
    assert for_someone_else.status == 403
    assert ledger(medical, case, staff_token("officer", jurisdiction="320100")).status == 404
    assert ledger(medical, case, hospital_token()).status == 404  # not yet sent there


def test_given_an_admission_when_bills_are_malformed_or_outside_the_window_then_each_is_refused_naming_the_field(medical):
    case = determined_injury_case(medical)
    token = approved(medical, case)["qrToken"]
    admission_id = medical.api.call("POST", "/hospital/scan", hospital_token(), {"token": token}).body["admissionId"]
    path = f"/hospital/admissions/{admission_id}/bills"
    for amount in (12.5, "1250", True, -100, 0):
        items = [{"name": "药费", "amount": 100}, {"name": "挂号", "amount": amount}]
        reply = medical.api.call("POST", path, hospital_token(), {"items": items})
        assert reply.status == 400 and reply.body["error"]["field"] == "items[1].amount", (amount, reply.body)
    before = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    early = medical.api.call("POST", path, hospital_token(), {"items": [{"name": "药费", "amount": 100, "serviceDate": before}]})
    assert early.status == 400 and early.body["error"]["field"] == "items[0].serviceDate", early.body
    assert medical.api.call("POST", path, hospital_token("YCH02"), {"items": [{"name": "药费", "amount": 100}]}).status == 404
    assert medical.api.call("POST", path, hospital_token(), {"items": []}).status == 400
    assert ledger(medical, case, staff_token("officer")).body["totals"]["billed"] == 0  # nothing half-written


def test_given_a_case_when_applying_before_the_determination_or_at_a_hospital_outside_direct_pay_then_refused(medical):
    created = medical.api.create_case(injury_case_body()).body
    sun = created["parties"][SUN]
    early = apply(medical, created)
    assert early.status == 409 and early.body["error"]["field"] == "caseId", early.body
    case = determined_injury_case(medical)
    unknown = apply(medical, case, hospitalCode="XX99")
    assert unknown.status == 400 and unknown.body["error"]["field"] == "hospitalCode"
    assert sun["partyId"] not in {a["injuredPartyId"] for a in ledger(medical, case, staff_token("officer")).body["applications"]}


def billed_at_hospital(flow: Any, case: dict, fen: int) -> dict:
    """Approved, scanned and billed: the bill's reply."""
    application = approved(flow, case)
    waiting_for(flow, case, application["applicationId"], "ADMISSION")
    scanned = flow.api.call("POST", "/hospital/scan", hospital_token(), {"token": application["qrToken"]})
    assert scanned.status == 200, scanned.body
    waiting_for(flow, case, application["applicationId"], "BILLS")
    bills = flow.api.call("POST", f"/hospital/admissions/{scanned.body['admissionId']}/bills", hospital_token(),
                          {"items": [{"name": "急诊处置", "amount": fen}]})
    assert bills.status == 200, bills.body
    return bills.body


def insurer_ledger(flow: Any, case: dict, code: str) -> list[dict]:
    reply = ledger(flow, case, staff_token("insurer", org=code))
    assert reply.status == 200, reply.body
    return list(reply.body["applications"])


def test_given_billed_when_the_officer_records_that_the_liable_driver_fled_then_the_fund_advances_for_hit_and_run(medical):
    case = determined_injury_case(medical)
    liu = case["parties"][LIU]["partyId"]
    application_id = billed_at_hospital(medical, case, 300_000)["applicationId"]
    fund_token = staff_token("fund")
    assert medical.api.call("GET", "/fund/applications", fund_token).body["applications"] == []  # Liu's insurer pays
    # An insurer sees the applications its vehicles owe for: Liu's (PICC) Sun's; Sun's own (PAIC) none.
    assert [a["applicationId"] for a in insurer_ledger(medical, case, "PICC")] == [application_id]
    assert insurer_ledger(medical, case, "PAIC") == []

    recorded = medical.api.call("POST", f"/cases/{case['caseId']}/parties/{liu}/fled", staff_token("officer"))
    assert recorded.status == 200, recorded.body

    listed = [a for a in medical.api.call("GET", "/fund/applications", fund_token).body["applications"]
              if a["caseId"] == case["caseId"]]
    assert [(a["applicationId"], a["requested"], a["reasons"]) for a in listed] == [(application_id, 300_000, ["HIT_AND_RUN"])]
    audit = medical.api.call("GET", f"/cases/{case['caseId']}/audit", staff_token("officer")).body["entries"]
    asked = [e["detail"]["requests"] for e in audit if e["action"] == "MEDICAL_COSTS_REQUESTED"]
    assert [[r["amountDue"] for r in requests] for requests in asked] == [[300_000], [0]]  # the insurer's request is withdrawn
    actions = [e["action"] for e in audit]
    assert actions.index("PARTY_FLED") < actions.index("FUND_APPLICATION_OPENED")
    assert insurer_ledger(medical, case, "PICC") == []  # its request withdrawn: it owes nothing now
