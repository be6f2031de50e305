"""Review (复核, Art.71-79): asked in time by a party (3 working days from its service, across
National Day), decided by a supervisor of the jurisdiction; REDO leads to a letter that supersedes
the first, both verifiable; a pending review suspends mediation."""

from __future__ import annotations

from tests.factories import pdf_text, staff_token
from tests.integration import dispute_steps
from tests.integration.dispute_steps import case, determined, messages, sign

clock = dispute_steps.clock  # the fixture, used by name
supervisor = dispute_steps.supervisor  # the fixture, used by name

REASON = {"reason": "对方突然变道，责任划分有误，申请复核。"}


def _ask(api, created, index=1, body=REASON):
    party = created["parties"][index]
    return api.call("POST", f"/cases/{created['caseId']}/review", party["token"], body)


def test_given_a_refused_letter_when_the_party_asks_on_its_third_working_day_after_national_day_then_under_review(
    api, officer, clock
):
    created = determined(api, officer, clock, "2026-09-29")
    sign(api, created, 1, accept=False)  # served by refusing on 9/29: 9/30, 10/8, 10/9
    clock("2026-10-09T16:00:00+08:00")
    reply = _ask(api, created)
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "PENDING" and reply.body["requestDeadline"] == "2026-10-09"
    assert reply.body["decideBy"] == "2026-11-08" and reply.body["requestedBy"] == created["parties"][1]["partyId"]
    view = case(api, created, created["parties"][0]["token"])
    assert view["status"] == "UNDER_REVIEW" and view["review"]["reviewId"] == reply.body["reviewId"]
    assert [e["action"] for e in view["timeline"]][-1] == "REVIEW_REQUESTED"
    told = messages(created["caseId"], "review.requested", "NOTICE")
    assert sorted(o.recipient for o in told) == sorted(p["partyId"] for p in created["parties"])
    assert "2026年11月08日" in told[0].payload.as_dict()["text"]
    retried = _ask(api, created)  # a retry of the same request is not a second review
    assert retried.status == 201 and retried.body["reviewId"] == reply.body["reviewId"]
    assert _ask(api, created, 0).status == 409  # reviewed once


def test_given_a_party_served_before_national_day_when_it_asks_after_its_3_working_days_then_refused_naming_the_day(
    api, officer, clock
):
    created = determined(api, officer, clock, "2026-09-30")
    clock("2026-09-30T11:00:00+08:00")
    sign(api, created, 0)  # served 9/30: 10/1-7 off, 10/8, 10/9, Saturday 10/10 worked
    clock("2026-10-12T09:00:00+08:00")
    reply = _ask(api, created, 0)
    assert reply.status == 409, reply.body
    error = reply.body["error"]
    assert error["code"] == "DeadlinePassed" and error["deadline"] == "2026-10-10" and "2026-10-10" in error["message"]
    assert error["workingDays"] == 3 and error["servedOn"] == "2026-09-30"
    view = case(api, created, officer)
    assert view["status"] == "DETERMINED" and view["review"] is None


def test_given_a_pending_review_when_a_supervisor_upholds_it_then_reviewed_and_only_a_supervisor_of_the_unit_may(
    api, officer, clock, supervisor
):
    created = determined(api, officer, clock, "2026-10-12")
    review_id = _ask(api, created).body["reviewId"]
    decision = {"outcome": "UPHELD", "reasoning": "事实清楚，责任划分正确。"}
    assert api.call("POST", f"/reviews/{review_id}/decide", officer, decision).status == 403
    assert api.call("POST", f"/reviews/{review_id}/decide", created["parties"][0]["token"], decision).status == 403
    elsewhere = staff_token("supervisor", jurisdiction="320100")
    assert api.call("POST", f"/reviews/{review_id}/decide", elsewhere, decision).status == 404
    assert api.call("POST", "/reviews/RVNOSUCHREVIEW/decide", supervisor, decision).status == 404
    reply = api.call("POST", f"/reviews/{review_id}/decide", supervisor, decision)
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "REVIEWED" and reply.body["review"]["status"] == "UPHELD"
    again = api.call("POST", f"/reviews/{review_id}/decide", supervisor, {"outcome": "REDO", "reasoning": "改变主意。"})
    assert again.status == 409
    assert messages(created["caseId"], "review.upheld", "NOTICE")
    assert "REVIEW_UPHELD" in [e["action"] for e in case(api, created, officer)["timeline"]]


def test_given_redo_when_the_officer_determines_again_then_revision_2_supersedes_the_first_and_both_verify(
    api, officer, clock, supervisor
):
    created = determined(api, officer, clock, "2026-10-12")
    first = created["letterDocumentId"]
    review_id = _ask(api, created, 0).body["reviewId"]
    clock("2026-10-14T09:00:00+08:00")  # decided two days later
    reply = api.call("POST", f"/reviews/{review_id}/decide", supervisor, {"outcome": "REDO", "reasoning": "碰撞部位认定有误，重新认定。"})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "AWAITING_DETERMINATION"
    queue = api.call("GET", "/portal/queue", officer).body
    assert created["caseId"] in str(queue)
    redo = {"scenario": "LANE_CHANGE", "facts": "乙方车辆变更车道时与甲方车辆发生碰撞。",
            "atFaultPartyId": created["parties"][1]["partyId"]}
    again = api.call("POST", f"/cases/{created['caseId']}/determination", officer, redo)
    assert again.status == 201, again.body
    second = again.body["letterDocumentId"]
    view = case(api, created, officer)
    assert [(d["documentId"], d["revision"], d["current"]) for d in view["documents"]] == [(first, 1, False), (second, 2, True)]
    assert view["determination"]["scenario"] == "LANE_CHANGE" and view["signatures"] == {}
    audit = api.call("GET", f"/cases/{created['caseId']}/audit", officer).body
    issued = [e["detail"] for e in audit["entries"] if e["action"] == "DOCUMENT_ISSUED"]
    assert issued[-1]["supersedes"] == first and issued[-1]["revision"] == 2
    for document_id in (first, second):
        check = api.call("GET", f"/verify/{document_id}").body
        assert check["genuine"] is True, check
    text = pdf_text(created["caseId"], second)
    assert "第2版" in text and "经复核重新作出" in text
    assert sign(api, created, 0)["status"] == "DETERMINED"  # the new letter is answered anew


def test_given_mediation_requested_when_a_review_is_pending_then_it_is_suspended_and_resumes_when_upheld(
    api, officer, clock, supervisor
):
    created = determined(api, officer, clock, "2026-10-12")
    for party in created["parties"]:
        assert api.call("POST", f"/cases/{created['caseId']}/mediation", party["token"], {}).status == 200
    mediation_id = case(api, created, officer)["mediation"]["mediationId"]
    review_id = _ask(api, created).body["reviewId"]
    assert case(api, created, officer)["status"] == "UNDER_REVIEW"
    schedule = {"at": "2026-10-20T10:00:00+08:00", "mediatorId": "M0001"}
    suspended = api.call("POST", f"/mediation/{mediation_id}/schedule", officer, schedule)
    assert suspended.status == 409 and "review" in suspended.body["error"]["message"]
    decided = api.call("POST", f"/reviews/{review_id}/decide", supervisor, {"outcome": "UPHELD", "reasoning": "维持原认定。"})
    assert decided.body["status"] == "MEDIATION_REQUESTED"
    assert api.call("POST", f"/mediation/{mediation_id}/schedule", officer, schedule).status == 200


def test_given_the_wrong_caller_when_asking_for_review_then_refused(api, officer, clock):
    other = api.case_awaiting_determination()
    created = determined(api, officer, clock, "2026-10-12")
    assert api.call("POST", f"/cases/{created['caseId']}/review", officer, REASON).status == 403
    short = _ask(api, created, 1, {"reason": "否"})
    assert short.status == 400 and short.body["error"]["field"] == "reason"
    assert api.call("POST", f"/cases/{other['caseId']}/review", created["parties"][0]["token"], REASON).status == 404
