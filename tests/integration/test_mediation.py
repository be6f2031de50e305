"""Police mediation (Art.84-94): requested once every party asked in time, scheduled with 3 working
days' notice unless waived, at most 3 people a side, concluded by an agreement each party signs
(PDF read back, insurers told the amounts) or a termination with its reason."""

from __future__ import annotations

from chalicelib.domain.mediation_terms import TerminationReason
from chalicelib.services import mediation
from tests.factories import pdf_text, staff_token
from tests.integration import dispute_steps
from tests.integration.dispute_steps import case, determined, messages

clock = dispute_steps.clock  # the fixture, used by name

SETTLEMENT = {
    "basis": "《道路交通安全法》第七十六条，《道路交通事故处理程序规定》第八十四条",
    "facts": "甲方车辆追撞乙方车辆尾部，甲方负全部责任。",
    "losses": "乙方车辆后保险杠、尾灯损坏；乙方误工两日。",
    "items": [{"name": "车辆维修费", "amountFen": 320000}, {"name": "误工费", "amountFen": 50000}],
    "shares": [],
    "paymentMethod": "银行转账",
    "paymentDeadline": "2026-10-30",
}


def _ask(api, created, index, waive=False):
    party = created["parties"][index]
    return api.call("POST", f"/cases/{created['caseId']}/mediation", party["token"], {"waiveNotice": waive})


def _requested(api, officer, clock, on="2026-09-28", waive=False):
    created = determined(api, officer, clock, on)
    for index in (0, 1):
        assert _ask(api, created, index, waive).status == 200
    return created, case(api, created, officer)["mediation"]["mediationId"]


def _schedule(api, officer, mediation_id, at, **extra):
    return api.call("POST", f"/mediation/{mediation_id}/schedule", officer, {"at": at, "mediatorId": "M0001", **extra})


def _scheduled(api, officer, clock):
    created, mediation_id = _requested(api, officer, clock)
    clock("2026-09-29T09:00:00+08:00")
    reply = _schedule(api, officer, mediation_id, "2026-10-09T10:00:00+08:00")
    assert reply.status == 200, reply.body
    return created, mediation_id


def _in_session(api, officer, clock):
    created, mediation_id = _scheduled(api, officer, clock)
    clock("2026-10-09T10:05:00+08:00")
    people = case(api, created, officer)["mediation"]["participants"]
    reply = api.call("POST", f"/mediation/{mediation_id}/session", officer,
                     {"attended": [p["participantId"] for p in people], "minutes": "双方到场，陈述意见。", "videoSessionId": "VS-1"})
    assert reply.status == 200, reply.body
    return created, mediation_id, reply.body


def test_given_one_party_asked_when_the_other_has_not_then_not_requested_and_the_case_shows_who_asked(api, officer, clock):
    created = determined(api, officer, clock, "2026-09-28")
    first, second = (p["partyId"] for p in created["parties"])
    assert _ask(api, created, 0).status == 200
    view = case(api, created, created["parties"][1]["token"])
    assert view["status"] == "DETERMINED"
    assert view["mediation"]["status"] == "ASKING" and view["mediation"]["askedBy"] == [first]
    assert view["mediation"]["waitingFor"] == [second]
    assert _ask(api, created, 1).body["status"] == "REQUESTED"
    view = case(api, created, officer)
    assert view["status"] == "MEDIATION_REQUESTED" and sorted(view["mediation"]["askedBy"]) == sorted([first, second])
    assert len(messages(created["caseId"], "mediation.requested", "NOTICE")) == 2
    assert api.call("POST", f"/cases/{created['caseId']}/mediation", officer, {}).status == 403


def test_given_a_letter_served_28_sep_when_a_party_asks_after_its_10_working_days_then_refused_naming_the_day(
    api, officer, clock
):
    created = determined(api, officer, clock, "2026-09-28")
    # 9/29, 9/30, 10/8, 10/9, Saturday 10/10 worked, 10/12-16: the 10th working day is 10/16.
    clock("2026-10-19T09:00:00+08:00")
    reply = _ask(api, created, 0)
    assert reply.status == 409 and reply.body["error"]["code"] == "DeadlinePassed"
    assert reply.body["error"]["deadline"] == "2026-10-16" and "2026-10-16" in reply.body["error"]["message"]
    assert case(api, created, officer)["mediation"] is None


def test_given_notice_under_3_working_days_when_scheduled_then_refused_unless_every_party_waived(api, officer, clock):
    _, mediation_id = _requested(api, officer, clock)
    clock("2026-09-29T09:00:00+08:00")
    early = _schedule(api, officer, mediation_id, "2026-10-08T10:00:00+08:00")
    assert early.status == 400 and early.body["error"]["field"] == "at" and early.body["error"]["earliest"] == "2026-10-09"
    assert api.call("POST", f"/mediation/{mediation_id}/schedule", staff_token("supervisor"),
                    {"at": "2026-10-09T10:00:00+08:00", "mediatorId": "M0001"}).status == 403
    assert _schedule(api, officer, mediation_id, "2026-10-09T10:00:00+08:00", mediatorId="O9999").body["error"]["field"] == "mediatorId"

    _, waived_id = _requested(api, officer, clock, waive=True)
    clock("2026-09-29T09:00:00+08:00")
    same_day = _schedule(api, officer, waived_id, "2026-09-29T15:00:00+08:00")
    assert same_day.status == 200, same_day.body


def test_given_participants_when_a_side_would_have_4_then_refused_and_insurer_staff_attend_for_their_insured(api, officer, clock):
    created, mediation_id = _requested(api, officer, clock)
    clock("2026-09-29T09:00:00+08:00")
    first, second = (p["partyId"] for p in created["parties"])
    agent = {"partyId": first, "kind": "REPRESENTATIVE", "name": "赵律师"}
    too_many = _schedule(api, officer, mediation_id, "2026-10-09T10:00:00+08:00", participants=[agent, agent, agent])
    assert too_many.status == 400 and too_many.body["error"]["field"] == "participants" and too_many.body["error"]["side"] == first
    wrong_insurer = {"partyId": first, "kind": "INSURER_STAFF", "name": "钱理赔", "insurerCode": "CPIC"}
    refused = _schedule(api, officer, mediation_id, "2026-10-09T10:00:00+08:00", participants=[wrong_insurer])
    assert refused.status == 400 and refused.body["error"]["field"] == "participants[0].insurerCode"
    staff = {"partyId": first, "kind": "INSURER_STAFF", "name": "钱理赔", "insurerCode": "PICC"}
    reply = _schedule(api, officer, mediation_id, "2026-10-09T10:00:00+08:00", participants=[agent, staff])
    assert reply.status == 200, reply.body
    sides = [(p["partyId"], p["kind"]) for p in reply.body["participants"]]
    assert sides.count((first, "PARTY")) == 1 and (first, "INSURER_STAFF") in sides and len(sides) == 4
    view = case(api, created, created["parties"][1]["token"])
    assert view["status"] == "MEDIATION_SCHEDULED"
    assert "赵律师" not in str(view["mediation"]) and "钱理赔" not in str(view["mediation"])  # the other side's names masked
    scheduled = messages(created["caseId"], "mediation.scheduled", "NOTICE")
    assert sorted(o.recipient for o in scheduled) == sorted([first, second])
    assert "2026年10月09日10时00分" in scheduled[0].payload.as_dict()["text"]
    events = messages(created["caseId"], "mediation.scheduled", "WEBHOOK")
    assert sorted(o.recipient for o in events) == ["PAIC", "PICC"]


def test_given_a_session_when_every_party_signs_the_agreement_then_the_pdf_carries_it_and_insurers_get_the_amounts(
    api, officer, clock
):
    created, mediation_id, started = _in_session(api, officer, clock)
    first, second = (p["partyId"] for p in created["parties"])
    assert started["status"] == "IN_SESSION" and started["concludeBy"] == "2026-10-22" and started["videoSessionId"] == "VS-1"
    assert all(p["attended"] for p in started["participants"])
    body = {**SETTLEMENT, "shares": [{"partyId": first, "amountFen": 300000}, {"partyId": second, "amountFen": 60000}]}
    uneven = api.call("POST", f"/mediation/{mediation_id}/agreement", officer, body)
    assert uneven.status == 400 and uneven.body["error"]["field"] == "shares"
    body["shares"][1]["amountFen"] = 70000
    assert api.call("POST", f"/mediation/{mediation_id}/agreement", officer, body).status == 200
    assert api.call("POST", f"/mediation/{mediation_id}/sign", officer).status == 403
    signed = api.call("POST", f"/mediation/{mediation_id}/sign", created["parties"][0]["token"])
    assert signed.status == 200 and signed.body["status"] == "IN_SESSION" and signed.body["settlement"]["signedBy"] == [first]
    done = api.call("POST", f"/mediation/{mediation_id}/sign", created["parties"][1]["token"])
    assert done.status == 200 and done.body["status"] == "AGREED", done.body
    document_id = done.body["documentId"]
    view = case(api, created, officer)
    assert view["status"] == "MEDIATED" and document_id in [d["documentId"] for d in view["documents"]]
    text = pdf_text(created["caseId"], document_id)
    for value in ("调解书", "盐公交调字", created["caseId"], "盐城市公安局交通警察支队", "调解员刘", "第七十六条",
                  "车辆维修费", "3,200.00元", "误工费", "500.00元", "3,000.00元", "700.00元", "银行转账", "2026年10月30日",
                  "张三", "李四", "已签字", f"/verify/{document_id}"):
        assert value in text, value
    assert api.call("GET", f"/verify/{document_id}").body["genuine"] is True
    agreed = messages(created["caseId"], "mediation.agreed", "WEBHOOK")
    assert sorted(o.recipient for o in agreed) == ["PAIC", "PICC"]
    data = agreed[0].payload.as_dict()["data"]
    assert data["items"] == [{"name": "车辆维修费", "amountFen": 320000}, {"name": "误工费", "amountFen": 50000}]
    assert {(s["partyId"], s["amountFen"], s["insurerCode"]) for s in data["shares"]} == {(first, 300000, "PICC"), (second, 70000, "PAIC")}
    again = api.call("POST", f"/mediation/{mediation_id}/sign", created["parties"][1]["token"])
    assert again.status == 200 and again.body["documentId"] == document_id  # a retry issues nothing more
    actions = [e["action"] for e in api.call("GET", f"/cases/{created['caseId']}/audit", officer).body["entries"]]
    for action in ("MEDIATION_ASKED", "MEDIATION_REQUESTED", "MEDIATION_SCHEDULED", "MEDIATION_SESSION",
                   "MEDIATION_AGREEMENT_PROPOSED", "MEDIATION_SIGNED", "MEDIATED"):
        assert action in actions, action


def test_given_a_scheduled_mediation_when_the_officer_terminates_it_then_the_termination_pdf_gives_the_reason(api, officer, clock):
    created, mediation_id = _scheduled(api, officer, clock)
    assert api.call("POST", f"/mediation/{mediation_id}/session", officer, {}).status == 409  # before its time
    party = created["parties"][0]["token"]
    body = {"reason": "WITHDRAWN", "reasonText": "乙方书面撤回调解申请。"}
    assert api.call("POST", f"/mediation/{mediation_id}/terminate", party, body).status == 403
    reply = api.call("POST", f"/mediation/{mediation_id}/terminate", officer, body)
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "TERMINATED" and reply.body["terminationReason"] == "WITHDRAWN"
    document_id = reply.body["documentId"]
    text = pdf_text(created["caseId"], document_id)
    for value in ("调解终结书", "盐公交调终字", TerminationReason.WITHDRAWN.wording, "乙方书面撤回调解申请", f"/verify/{document_id}"):
        assert value in text, value
    assert api.call("GET", f"/verify/{document_id}").body["genuine"] is True
    assert case(api, created, officer)["status"] == "MEDIATION_TERMINATED"
    assert len(messages(created["caseId"], "mediation.terminated", "NOTICE")) == 2


def test_given_no_agreement_within_10_working_days_of_the_start_when_the_sweep_runs_then_terminated(api, officer, clock):
    created, mediation_id, _ = _in_session(api, officer, clock)
    early = api.call("POST", f"/mediation/{mediation_id}/terminate", officer,
                     {"reason": "NO_AGREEMENT_IN_TIME", "reasonText": "未达成协议。"})
    assert early.status == 409 and "2026-10-22" in early.body["error"]["message"]
    unit = case(api, created, officer)["jurisdiction"]
    clock("2026-10-22T18:00:00+08:00")
    assert mediation.close_overdue(unit) == []  # its last day
    clock("2026-10-23T08:00:00+08:00")
    late = api.call("POST", f"/mediation/{mediation_id}/agreement", officer,
                    {**SETTLEMENT, "shares": [{"partyId": created["parties"][0]["partyId"], "amountFen": 370000}]})
    assert late.status == 409 and late.body["error"]["deadline"] == "2026-10-22"
    assert mediation.close_overdue(unit) == [created["caseId"]]
    assert mediation.close_overdue(unit) == []  # run again: nothing left
    view = case(api, created, officer)
    assert view["status"] == "MEDIATION_TERMINATED" and view["mediation"]["terminationReason"] == "NO_AGREEMENT_IN_TIME"
    text = pdf_text(created["caseId"], view["mediation"]["documentId"])
    assert TerminationReason.NO_AGREEMENT_IN_TIME.wording in text and "2026-10-22" in text


def test_given_a_party_of_another_case_when_signing_this_mediation_then_404(api, officer, clock):
    stranger = api.case_awaiting_determination()["parties"][0]["token"]
    created, mediation_id, _ = _in_session(api, officer, clock)
    assert api.call("POST", f"/mediation/{mediation_id}/sign", stranger).status == 404
    assert api.call("POST", "/mediation/MDNOSUCHONE/sign", created["parties"][0]["token"]).status == 404


def test_given_an_overdue_mediation_when_the_scheduled_sweeper_runs_then_terminated_and_its_parties_told(api, officer, clock):
    from functions.mediation_sweeper.handler import handler
    from infra.local.lambdas import LambdaContext

    created, _, _ = _in_session(api, officer, clock)
    context = LambdaContext(function_name="yunchetong-test-mediation-sweeper")
    clock("2026-10-22T23:00:00+08:00")
    assert handler({}, context)["terminated"] == 0  # its last day
    clock("2026-10-23T00:30:00+08:00")  # the first hourly run after it
    assert handler({}, context)["terminated"] == 1
    assert handler({}, context)["terminated"] == 0
    view = case(api, created, officer)
    assert view["status"] == "MEDIATION_TERMINATED" and view["mediation"]["terminationReason"] == "NO_AGREEMENT_IN_TIME"
    assert len(messages(created["caseId"], "mediation.terminated", "NOTICE")) == 2
