"""The room shows the dispute's steps: review asked and decided, mediation requested, scheduled,
agreed or terminated, a referral booked, as system messages written in the step's own case
transaction (so a step is never shown without having happened, nor happened without being shown)."""

from __future__ import annotations

from chalicelib.domain.mediation_terms import TerminationReason
from chalicelib.store import cases
from tests.factories import case_body, working_day
from tests.integration import dispute_steps
from tests.integration.dispute_steps import case, determined
from tests.integration.test_mediation import SETTLEMENT, _ask, _in_session

clock, supervisor = dispute_steps.clock, dispute_steps.supervisor  # the fixtures, used by name


def _system_texts(api, case_id: str, token: str) -> list[str]:
    page = api.call("GET", f"/cases/{case_id}/room/messages?limit=100", token)
    assert page.status == 200, page.body
    return [m["text"] for m in page.body["messages"] if m["kind"] == "SYSTEM" and m["sender"]["label"] == "系统消息"]


def test_given_a_review_upheld_then_mediation_asked_and_scheduled_when_a_party_reads_the_room_then_each_step_is_shown(
    api, officer, clock, supervisor
):
    created = determined(api, officer, clock, "2026-09-28")
    clock("2026-09-29T09:00:00+08:00")
    review = api.call("POST", f"/cases/{created['caseId']}/review", created["parties"][1]["token"], {"reason": "对方突然变道，不是追尾"})
    assert review.status == 201, review.body
    decided = api.call("POST", f"/reviews/{review.body['reviewId']}/decide", supervisor, {"outcome": "UPHELD", "reasoning": "维持原认定。"})
    assert decided.status == 200, decided.body
    for index in (0, 1):
        assert _ask(api, created, index).status == 200
    mediation_id = case(api, created, officer)["mediation"]["mediationId"]
    scheduled = api.call("POST", f"/mediation/{mediation_id}/schedule", officer,
                         {"at": "2026-10-09T10:00:00+08:00", "mediatorId": "M0001"})
    assert scheduled.status == 200, scheduled.body

    texts = _system_texts(api, created["caseId"], created["parties"][0]["token"])
    assert len(texts) == 4, texts
    assert "乙方申请复核" in texts[0] and "2026年10月29日" in texts[0]  # decided within 30 days
    assert "维持原道路交通事故认定" in texts[1]
    assert "各方当事人均已申请调解" in texts[2]
    assert "2026年10月09日10时00分" in texts[3] and "调解员" in texts[3]
    record = cases.load(created["caseId"])
    # each message is an audit entry of the step's own transaction
    assert record.case.room_seq == 4


def test_given_a_mediation_agreed_by_both_when_a_member_reads_the_room_then_the_session_agreement_and_its_document_are_shown(
    api, officer, clock
):
    created, mediation_id, _ = _in_session(api, officer, clock)
    shares = [{"partyId": created["parties"][0]["partyId"], "amountFen": 370000}]
    assert api.call("POST", f"/mediation/{mediation_id}/agreement", officer, {**SETTLEMENT, "shares": shares}).status == 200
    for party in created["parties"]:
        assert api.call("POST", f"/mediation/{mediation_id}/sign", party["token"]).status == 200
    texts = _system_texts(api, created["caseId"], officer)
    assert any("调解开始" in t for t in texts), texts
    assert any("达成调解协议" in t and "3,700.00" in t for t in texts), texts
    page = api.call("GET", f"/cases/{created['caseId']}/room/messages?limit=100", created["parties"][1]["token"]).body["messages"]
    document_id = case(api, created, officer)["mediation"]["documentId"]
    assert [m["documentId"] for m in page if m["kind"] == "SYSTEM" and m["documentId"]] == [document_id]


def test_given_a_mediation_terminated_when_a_party_reads_the_room_then_the_termination_is_shown(api, officer, clock):
    created, mediation_id, _ = _in_session(api, officer, clock)
    body = {"reason": "WITHDRAWN", "reasonText": "乙方书面撤回调解申请。"}
    assert api.call("POST", f"/mediation/{mediation_id}/terminate", officer, body).status == 200
    texts = _system_texts(api, created["caseId"], created["parties"][0]["token"])
    assert texts[-1].startswith(f"调解终结：{TerminationReason.WITHDRAWN.wording}"), texts


def test_given_a_referral_booked_when_the_party_reads_the_room_then_the_appointment_is_shown(api):
    created = api.create_case(case_body()).body
    day = working_day(7)
    booking = {"servicePointCode": "SP02", "service": "PROPERTY_VALUATION", "preferredDate": day.isoformat()}
    booked = api.call("POST", f"/cases/{created['caseId']}/referrals", created["parties"][0]["token"], booking)
    assert booked.status == 201, booked.body
    again = api.call("POST", f"/cases/{created['caseId']}/referrals", created["parties"][0]["token"], booking)
    assert again.status == 200  # a retry books once, and is shown once
    texts = _system_texts(api, created["caseId"], created["parties"][1]["token"])
    assert len(texts) == 1 and "甲方" in texts[0] and booked.body["servicePointName"] in texts[0], texts
