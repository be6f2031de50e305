"""The working-day calendar: provisional deadlines shown everywhere, a year loaded by an operator
(versioned, validated) recounting the cases waiting for it, and each party's deadlines from service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.services import delivery
from chalicelib.store import calendar as calendar_store
from chalicelib.store import cases as case_store
from chalicelib.store import outbox
from tests.factories import pdf_text, staff_token

PROVISIONAL_NOTE = "期限按现行节假日安排暂定，如国务院公布新的安排将重新计算并通知。"
# A test arrangement for 2027 (the real one is not published yet): 1/4 Monday off, a make-up Saturday.
ARRANGEMENT_2027 = {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "workdays": ["2027-01-09"],
                    "source": "测试用安排"}


@pytest.fixture
def supervisor():
    return staff_token("supervisor")


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every service reads (`store.cases.utcnow`)."""

    def set_to(text: str) -> None:
        moment = datetime.fromisoformat(text).astimezone(UTC)
        monkeypatch.setattr(case_store, "utcnow", lambda: moment)

    return set_to


def _determine(api, created, officer):
    payload = {"scenario": "REAR_END", "facts": "甲方车辆在解放南路由南向北行驶时追撞前方乙方车辆尾部。",
               "atFaultPartyId": created["parties"][0]["partyId"]}
    reply = api.call("POST", f"/cases/{created['caseId']}/determination", officer, payload)
    assert reply.status == 201, reply.body
    return reply.body


def _notices(case_id, topic):
    return [o for o in outbox.pending() if o.case_id == case_id and o.topic == topic]


def test_given_a_letter_served_on_18_dec_2026_when_determined_then_provisional_in_the_view_and_on_the_letter(api, officer, clock):
    created = api.case_awaiting_determination()
    clock("2026-12-18T10:00:00+08:00")
    determined = _determine(api, created, officer)
    deadlines = determined["determination"]["deadlines"]
    # 12/21–25, 12/28–31 (9); 1/1 New Year's Day; 1/2–3 weekend; 1/4 (10): not New Year's Day, and provisional.
    assert deadlines == {"servedOn": "2026-12-18", "reviewBy": "2026-12-23", "mediationRequestBy": "2027-01-04",
                         "provisional": True, "servedBy": None}
    text = pdf_text(created["caseId"], determined["letterDocumentId"])
    assert "暂定" in text and PROVISIONAL_NOTE.replace("，", "") in text.replace("，", "")
    assert calendar_store.waiting_for(2027) == [created["caseId"]]


def test_given_a_december_claim_when_its_clock_runs_into_2027_then_the_clock_is_provisional(api, officer, clock):
    created = api.case_awaiting_determination()
    clock("2026-12-31T10:00:00+08:00")
    _determine(api, created, officer)  # the claims are reported with it
    view = api.call("GET", f"/cases/{created['caseId']}", officer).body
    clocks = [claim["clock"] for claim in view["claims"]]
    assert clocks and all(c["due"] == "2027-01-04" and c["provisional"] is True for c in clocks), clocks


def test_given_2027_loaded_when_a_case_waits_for_it_then_deadlines_recounted_parties_told_and_the_index_cleared(
    api, officer, supervisor, clock
):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    clock("2026-12-18T10:00:00+08:00")
    _determine(api, created, officer)
    signer = created["parties"][0]
    assert api.call("POST", f"/cases/{case_id}/parties/{signer['partyId']}/sign", signer["token"], {"accept": True}).status == 200

    loaded = api.call("PUT", "/admin/calendar/2027", supervisor, ARRANGEMENT_2027)
    assert loaded.status == 200, loaded.body
    assert loaded.body["source"] == "LOADED" and loaded.body["version"] == 1
    assert loaded.body["casesRecounted"] == 1 and loaded.body["casesChanged"] == 1

    view = api.call("GET", f"/cases/{case_id}", officer).body["determination"]
    assert view["deadlines"]["mediationRequestBy"] == "2027-01-05" and view["deadlines"]["provisional"] is False
    own = view["partyDeadlines"][signer["partyId"]]
    assert own["mediationRequestBy"] == "2027-01-05" and own["provisional"] is False and own["servedBy"] == "SIGNED"
    told = _notices(case_id, "deadline.changed")
    assert sorted(o.recipient for o in told) == sorted(p["partyId"] for p in created["parties"])
    text = told[0].payload.as_dict()["text"]
    assert "2027年01月05日" in text and "暂定" not in text
    assert calendar_store.waiting_for(2027) == []

    again = api.call("PUT", "/admin/calendar/2027", supervisor, ARRANGEMENT_2027)
    assert again.body["version"] == 2 and again.body["casesRecounted"] == 0
    shown = api.call("GET", "/admin/calendar/2027", supervisor).body
    assert shown["source"] == "LOADED" and shown["version"] == 2 and "2027-01-04" in shown["holidays"]
    packaged = api.call("GET", "/admin/calendar/2026", supervisor).body
    assert packaged["source"] == "PACKAGED" and packaged["version"] is None


@pytest.mark.parametrize(
    ("year", "body", "field"),
    [
        ("2027", {"holidays": ["2028-01-01"], "workdays": []}, "holidays"),
        ("2027", {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}, "workdays"),
        ("2027", {"holidays": [], "workdays": ["2027-02-08"]}, "workdays"),
        ("2027", {"holidays": ["2027-02-30"], "workdays": []}, "holidays"),
        ("2027", {"holidays": ["1/1/2027"], "workdays": []}, "holidays[0]"),
        ("2027", {"workdays": []}, "holidays"),
        ("1066", {"holidays": [], "workdays": []}, "year"),
        ("next", {"holidays": [], "workdays": []}, "year"),
    ],
)
def test_given_a_wrong_arrangement_when_loaded_then_400_naming_the_field_and_nothing_stored(api, supervisor, year, body, field):
    reply = api.call("PUT", f"/admin/calendar/{year}", supervisor, body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert api.call("GET", "/admin/calendar/2027", supervisor).body["source"] == "NONE"


def test_given_an_officer_when_loading_the_calendar_then_403(api, officer):
    assert api.call("PUT", "/admin/calendar/2027", officer, ARRANGEMENT_2027).status == 403


def test_given_december_without_next_years_calendar_then_a_warning_until_it_is_loaded(api, supervisor, clock):
    clock("2026-11-30T12:00:00+08:00")
    assert api.call("GET", "/admin/calendar", supervisor).body["warning"] is None
    clock("2026-12-01T09:00:00+08:00")
    overview = api.call("GET", "/admin/calendar", supervisor).body
    assert overview["nextYear"] == 2027 and overview["nextYearInForce"] is False and "2027" in overview["warning"]
    api.call("PUT", "/admin/calendar/2027", supervisor, ARRANGEMENT_2027)
    overview = api.call("GET", "/admin/calendar", supervisor).body
    assert overview["nextYearInForce"] is True and overview["warning"] is None


def test_given_parties_served_on_different_days_then_each_has_deadlines_from_their_own_service(api, officer, clock):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    first, second = created["parties"]
    clock("2026-10-09T10:00:00+08:00")  # Friday
    determined = _determine(api, created, officer)
    clock("2026-10-12T09:00:00+08:00")  # Monday: the first party signs
    assert api.call("POST", f"/cases/{case_id}/parties/{first['partyId']}/sign", first["token"], {"accept": True}).status == 200
    # Tuesday: the letter's notice reaches the second party (and the first, already served).
    delivery.deliver_due(now=datetime(2026, 10, 13, 1, 0, tzinfo=UTC))
    view = api.call("GET", f"/cases/{case_id}", officer).body["determination"]
    assert view["deadlines"] == determined["determination"]["deadlines"]  # the officer's day, as before
    assert view["deadlines"]["servedOn"] == "2026-10-09"
    assert view["partyDeadlines"][first["partyId"]] == {
        "servedOn": "2026-10-12", "reviewBy": "2026-10-15", "mediationRequestBy": "2026-10-26", "provisional": False,
        "servedBy": "SIGNED"}
    assert view["partyDeadlines"][second["partyId"]] == {
        "servedOn": "2026-10-13", "reviewBy": "2026-10-16", "mediationRequestBy": "2026-10-27", "provisional": False,
        "servedBy": "NOTICE_DELIVERED"}


def test_given_a_refusal_when_the_letter_is_reissued_then_it_prints_each_partys_own_deadlines(api, officer, clock):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    first, second = created["parties"]
    clock("2026-10-09T10:00:00+08:00")
    _determine(api, created, officer)
    clock("2026-10-12T09:00:00+08:00")
    api.call("POST", f"/cases/{case_id}/parties/{first['partyId']}/sign", first["token"], {"accept": True})
    clock("2026-10-13T09:00:00+08:00")
    refused = api.call("POST", f"/cases/{case_id}/parties/{second['partyId']}/sign", second["token"],
                       {"accept": False, "reason": "对方突然变道，不是追尾"})
    assert refused.status == 200, refused.body
    text = pdf_text(case_id, refused.body["documentId"])
    assert "各方当事人的期限" in text
    assert "调解申请截止2026年10月26日" in text and "调解申请截止2026年10月27日" in text
    assert "拒绝签字（已送达）" in text and "暂定" not in text


def _published(output: str) -> list[int]:
    """Values of NextYearCalendarMissing in the embedded-metric lines a function printed."""
    import json

    values = []
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            if "NextYearCalendarMissing" in document:
                value = document["NextYearCalendarMissing"]
                values += value if isinstance(value, list) else [value]
    return values


def test_given_december_without_next_year_when_the_calendar_check_runs_then_it_publishes_1_until_loaded(
    api, supervisor, clock, capsys, monkeypatch
):
    from types import SimpleNamespace

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")  # the suite silences metrics; this test reads them

    from functions.calendar_check.handler import handler

    context = SimpleNamespace(function_name="calendar-check", memory_limit_in_mb=512,
                              invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:c", aws_request_id="r-1")
    clock("2026-11-30T09:00:00+08:00")
    assert handler({}, context) == {"missingYear": None}
    clock("2026-12-01T09:00:00+08:00")
    assert handler({}, context) == {"missingYear": 2027}
    api.call("PUT", "/admin/calendar/2027", supervisor, ARRANGEMENT_2027)
    assert handler({}, context) == {"missingYear": None}
    assert _published(capsys.readouterr().out) == [0, 1, 0]
