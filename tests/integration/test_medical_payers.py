"""Injury direct pay, the payers: bills posted → the liable vehicle's insurer is asked (signed
`medical.requested`), the rescue fund advances what insurance cannot; the insurers' answers are
verified and applied once; the fund's reviewer answers through its own routes."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from chalicelib.integrations import insurer_secrets, webhooks
from chalicelib.services import medical_payers
from chalicelib.services.medical_payers import BilledPerson
from chalicelib.store import cases, outbox
from tests.factories import case_body, party, staff_token
from tests.payers import billed, determined, funds

LIABLE_LIMIT = 1_800_000  # ¥18,000 in fen


@pytest.fixture
def insurers(aws):
    for code in ("PICC", "PAIC", "CPIC"):
        insurer_secrets.ensure(code)
    insurer_secrets.forget_cached()
    return insurer_secrets


def requested(case_id: str) -> list[dict]:
    """The pending `medical.requested` events of the case, in the order they were written."""
    pending = sorted((m for m in outbox.pending(("WEBHOOK",)) if m.case_id == case_id and m.topic == "medical.requested"),
                     key=lambda m: m.created_at)
    return [{"to": m.recipient, **cases.plain(m.payload)["data"]} for m in pending]


def actions(case_id: str) -> list[str]:
    from chalicelib.store import audit

    return [e.action for e in audit.entries(case_id)]


def fled(api, case_id: str, party_id: str) -> None:
    """The officer records that this vehicle's driver fled (hit-and-run)."""
    reply = api.call("POST", f"/cases/{case_id}/parties/{party_id}/fled", staff_token("officer"))
    assert reply.status == 200, reply.body


def test_given_an_insured_liable_vehicle_when_bills_are_within_its_limit_then_only_its_insurer_is_asked(api, insurers):
    created = determined(api)
    case_id = created["caseId"]
    medical_payers.bills_posted(case_id, [billed(created, 523_456)])

    asked = requested(case_id)
    assert [(a["to"], a["applicationId"], a["amountDue"], a["liability"]) for a in asked] == [("PICC", "MAAPP0001", 523_456, "FULL")]
    assert asked[0]["caseNumber"] == case_id and asked[0]["liabilitySharePercent"] == 100
    assert funds(case_id) == []
    assert medical_payers.amounts(case_id)["MAAPP0001"] == medical_payers.PayerAmounts(due=523_456)
    assert "MEDICAL_COSTS_REQUESTED" in actions(case_id)
    timeline = api.call("GET", f"/cases/{case_id}/timeline", staff_token("officer")).body
    assert "MEDICAL_COSTS_REQUESTED" in json.dumps(timeline, ensure_ascii=False)


def test_given_bills_over_the_limit_then_the_insurer_pays_the_limit_and_the_fund_the_rest_to_recover_from_the_liable(api, insurers):
    created = determined(api)
    case_id = created["caseId"]
    medical_payers.bills_posted(case_id, [billed(created, 2_000_000)])

    assert [(a["to"], a["amountDue"]) for a in requested(case_id)] == [("PICC", LIABLE_LIMIT)]
    (application,) = funds(case_id)
    assert int(application.requested) == 200_000 and list(application.reasons) == ["EXCEEDS_LIMIT"]
    assert cases.plain(application.recover) == {created["parties"][0]["partyId"]: 200_000}
    assert application.status == "PENDING" and application.notice_document_id


def test_given_a_vehicle_without_compulsory_insurance_then_the_fund_advances_the_whole_bill(api, insurers):
    uninsured = party(0, vehicle={"plate": "苏J54321", "type": "小型轿车"})
    created = determined(api, case_body([uninsured, party(1)]))
    case_id = created["caseId"]
    medical_payers.bills_posted(case_id, [billed(created, 300_000)])

    assert requested(case_id) == []
    (application,) = funds(case_id)
    assert (int(application.requested), list(application.reasons)) == (300_000, ["UNINSURED"])
    verified = api.call("GET", f"/verify/{application.notice_document_id}")
    assert verified.status == 200 and verified.body["genuine"] is True and verified.body["kind"] == "FUND_NOTICE"
    assert {"FUND_APPLICATION_OPENED", "DOCUMENT_ISSUED", "FUND_NOTIFIED"} <= set(actions(case_id))


def test_given_the_liable_driver_fled_then_it_is_hit_and_run_and_the_fund_advances(api, insurers):
    created = determined(api)
    case_id = created["caseId"]
    fled(api, case_id, created["parties"][0]["partyId"])
    medical_payers.bills_posted(case_id, [billed(created, 300_000)])

    assert requested(case_id) == []
    (application,) = funds(case_id)
    assert (int(application.requested), list(application.reasons)) == (300_000, ["HIT_AND_RUN"])


def test_given_both_drivers_injured_then_each_cars_insurer_pays_only_for_the_other_cars_driver(api, insurers):
    created = determined(api)  # Liu (PICC) FULL, Sun (PAIC) NONE
    case_id = created["caseId"]
    liu = created["parties"][0]["partyId"]
    sun_bill = billed(created, 500_000, application_id="MAAPPSUN")
    liu_bill = BilledPerson(application_id="MAAPPLIU", person_id=liu, hospital_code="YCH01", billed_fen=300_000,
                            fund_window_fen=300_000, treatment_started_at=sun_bill.treatment_started_at)
    medical_payers.bills_posted(case_id, [liu_bill, sun_bill])

    # Liu's car (liable, ¥18,000) answers for Sun only; Sun's car (not liable, ¥1,800) for Liu only.
    assert sorted((a["to"], a["applicationId"], a["amountDue"]) for a in requested(case_id)) == [
        ("PAIC", "MAAPPLIU", 180_000), ("PICC", "MAAPPSUN", 500_000)]
    (application,) = funds(case_id)
    assert (application.application_id, int(application.requested), list(application.reasons)) == (
        "MAAPPLIU", 120_000, ["EXCEEDS_LIMIT"])


def test_given_the_same_bills_posted_twice_then_nothing_is_asked_or_opened_twice(api, insurers):
    created = determined(api)
    case_id = created["caseId"]
    bills = [billed(created, 2_000_000)]
    medical_payers.bills_posted(case_id, bills)
    written = int(cases.load(case_id).case.audit_seq)
    medical_payers.bills_posted(case_id, bills)

    assert len(requested(case_id)) == 1 and len(funds(case_id)) == 1
    assert int(cases.load(case_id).case.audit_seq) == written


def test_given_more_bills_later_then_the_insurer_is_asked_the_new_total_once(api, insurers):
    created = determined(api)
    case_id = created["caseId"]
    medical_payers.bills_posted(case_id, [billed(created, 100_000)])
    medical_payers.bills_posted(case_id, [billed(created, 150_000)])
    medical_payers.bills_posted(case_id, [billed(created, 150_000)])

    assert [a["amountDue"] for a in requested(case_id)] == [100_000, 150_000]
    assert medical_payers.amounts(case_id)["MAAPP0001"].due == 150_000


# --- the insurer's answers --------------------------------------------------------------------------


def send(api, code, event_type, data, secret=None, webhook_id=None):
    moment = datetime.now().astimezone()
    body = json.dumps({"type": event_type, "timestamp": moment.isoformat(), "data": data}, ensure_ascii=False)
    headers = webhooks.signed_headers(secret or insurer_secrets.secrets_in_force(code)[0],
                                      webhook_id or f"msg_{event_type}_{moment.timestamp()}", moment, body)
    return api.call("POST", f"/webhooks/insurers/{code}", None, body, headers=headers)


@pytest.fixture
def asked(api, insurers) -> str:
    created = determined(api)
    medical_payers.bills_posted(created["caseId"], [billed(created, 500_000)])
    return created["caseId"]


def test_given_a_request_when_the_insurer_guarantees_then_pays_then_both_are_recorded(api, asked):
    guaranteed = send(api, "PICC", "medical.guaranteed", {"applicationId": "MAAPP0001", "amount": 500_000})
    assert guaranteed.status == 200, guaranteed.body
    assert guaranteed.body == {"received": True, "duplicate": False, "applicationId": "MAAPP0001", "claimId": None, "status": None}
    paid = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 500_000})
    assert paid.status == 200, paid.body
    assert medical_payers.amounts(asked)["MAAPP0001"] == medical_payers.PayerAmounts(due=500_000, guaranteed=500_000, paid=500_000)
    assert {"MEDICAL_GUARANTEED", "MEDICAL_PAID"} <= set(actions(asked))


def test_given_the_same_webhook_twice_then_it_is_applied_once(api, asked):
    first = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 200_000}, webhook_id="msg_same")
    again = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 200_000}, webhook_id="msg_same")
    assert (first.status, first.body["duplicate"]) == (200, False)
    assert (again.status, again.body["duplicate"]) == (200, True)
    assert medical_payers.amounts(asked)["MAAPP0001"].paid == 200_000


def test_given_a_payment_over_the_amount_due_then_422_naming_the_amount_and_nothing_recorded(api, asked):
    send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 400_000})
    over = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 100_001})
    assert over.status == 422 and over.body["error"]["code"] == "AmountExceedsDue" and over.body["error"]["field"] == "data.amount"
    guarantee = send(api, "PICC", "medical.guaranteed", {"applicationId": "MAAPP0001", "amount": 500_001})
    assert guarantee.status == 422
    assert medical_payers.amounts(asked)["MAAPP0001"].paid == 400_000


def test_given_a_bad_signature_or_another_insurer_or_a_bad_amount_then_refused(api, asked):
    forged = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 1}, secret=webhooks.new_secret())
    assert forged.status == 401 and forged.body["error"]["field"] == "webhook-signature"
    other = send(api, "PAIC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 1})
    assert other.status == 404 and other.body["error"]["field"] == "data.applicationId"
    text = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": "100"})
    assert text.status == 400 and text.body["error"]["field"] == "data.amount"
    assert medical_payers.amounts(asked)["MAAPP0001"].paid == 0


def test_given_claim_events_then_they_still_work_beside_medical_ones(api, asked):
    claims = api.call("GET", f"/cases/{asked}", staff_token("officer")).body["claims"]
    picc = next(c for c in claims if c["insurerCode"] == "PICC")
    accepted = send(api, "PICC", "claim.accepted", {"claimId": picc["claimId"]})
    assert accepted.status == 200 and accepted.body["status"] == "ACCEPTED"


# --- the fund's reviewer --------------------------------------------------------------------------


@pytest.fixture
def fund_application(api, insurers):
    created = determined(api)
    medical_payers.bills_posted(created["caseId"], [billed(created, 2_000_000)])
    (application,) = funds(created["caseId"])
    return created, application.fund_application_id


def test_given_a_fund_application_then_only_the_fund_sees_the_queue_and_answers(api, fund_application):
    created, fund_id = fund_application
    queue = api.call("GET", "/fund/applications", staff_token("fund"))
    assert queue.status == 200, queue.body
    entry = next(a for a in queue.body["applications"] if a["fundApplicationId"] == fund_id)
    assert entry["requested"] == 200_000 and entry["reasons"] == ["EXCEEDS_LIMIT"] and entry["noticeDocumentId"]
    assert api.call("GET", "/fund/applications", staff_token("fund", jurisdiction="320100")).body["applications"] == []
    for role in ("officer", "supervisor", "dispatcher"):
        assert api.call("GET", "/fund/applications", staff_token(role)).status == 403
        assert api.call("POST", f"/fund/applications/{fund_id}/approve", staff_token(role), {}).status == 403
    assert api.call("POST", f"/fund/applications/{fund_id}/approve", created["parties"][1]["token"], {}).status == 403
    elsewhere = api.call("POST", f"/fund/applications/{fund_id}/approve", staff_token("fund", jurisdiction="320100"), {})
    assert elsewhere.status == 404


def test_given_an_approval_then_the_advance_and_the_amount_to_recover_are_recorded(api, fund_application):
    created, fund_id = fund_application
    too_much = api.call("POST", f"/fund/applications/{fund_id}/approve", staff_token("fund"), {"amount": 200_001})
    assert too_much.status == 422 and too_much.body["error"]["field"] == "amount"
    approved = api.call("POST", f"/fund/applications/{fund_id}/approve", staff_token("fund"), {"amount": 150_000})
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "APPROVED" and approved.body["advanced"] == 150_000
    assert approved.body["toRecover"] == {created["parties"][0]["partyId"]: 150_000}
    amounts = medical_payers.amounts(created["caseId"])["MAAPP0001"]
    assert (amounts.fund_advanced, amounts.to_recover) == (150_000, 150_000)
    again = api.call("POST", f"/fund/applications/{fund_id}/reject", staff_token("fund"), {"reason": "重复"})
    assert again.status == 409
    assert "FUND_ADVANCED" in actions(created["caseId"])
    listed = api.call("GET", "/fund/applications?status=APPROVED", staff_token("fund")).body["applications"]
    assert [a["fundApplicationId"] for a in listed] == [fund_id]


def test_given_a_rejection_then_it_needs_a_reason_and_is_recorded(api, fund_application):
    _, fund_id = fund_application
    blank = api.call("POST", f"/fund/applications/{fund_id}/reject", staff_token("fund"), {})
    assert blank.status == 400 and blank.body["error"]["field"] == "reason"
    rejected = api.call("POST", f"/fund/applications/{fund_id}/reject", staff_token("fund"), {"reason": "不符合垫付条件"})
    assert rejected.status == 200 and rejected.body["status"] == "REJECTED"
    assert api.call("POST", "/fund/applications/FA000000000000/approve", staff_token("fund"), {}).status == 404


def test_given_a_request_then_the_deliverer_sends_it_signed_with_the_insurers_secret(api, insurers):
    from chalicelib.services import delivery

    created = determined(api)
    medical_payers.bills_posted(created["caseId"], [billed(created, 523_456)])
    sent = []

    def receiver(url, headers, body, timeout):
        code = url.rsplit("/insurers/", 1)[1].split("/")[0]
        webhooks.verify(insurer_secrets.secrets_in_force(code), headers, body, datetime.now().astimezone())  # raises if forged
        sent.append((code, json.loads(body)))
        return delivery.Attempt(200, None, 1.0)

    delivery.deliver_due(send=receiver)
    medical = [(code, body["data"]) for code, body in sent if body["type"] == "medical.requested"]
    assert [(code, data["applicationId"], data["amountDue"]) for code, data in medical] == [("PICC", "MAAPP0001", 523_456)]
    assert requested(created["caseId"]) == []  # delivered: out of the pending index


def test_given_no_determination_yet_then_bills_posted_is_refused_and_nothing_written(api, insurers):
    from chalicelib.errors import Conflict

    created = api.create_case(case_body()).body
    written = int(cases.load(created["caseId"]).case.audit_seq)
    with pytest.raises(Conflict):
        medical_payers.bills_posted(created["caseId"], [billed(created, 100_000)])
    assert int(cases.load(created["caseId"]).case.audit_seq) == written and funds(created["caseId"]) == []


def test_given_the_insurer_already_guaranteed_when_the_officer_records_a_flight_then_409_and_its_request_stands(api, asked):
    guaranteed = send(api, "PICC", "medical.guaranteed", {"applicationId": "MAAPP0001", "amount": 500_000})
    assert guaranteed.status == 200, guaranteed.body
    liu = cases.load(asked).parties[0].party_id

    refused = api.call("POST", f"/cases/{asked}/parties/{liu}/fled", staff_token("officer"))
    assert refused.status == 409 and refused.body["error"]["field"] == "partyId", refused.body
    assert medical_payers.amounts(asked)["MAAPP0001"] == medical_payers.PayerAmounts(due=500_000, guaranteed=500_000)
    assert funds(asked) == [] and "PARTY_FLED" not in actions(asked)
