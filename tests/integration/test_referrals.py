"""Offline referrals through the API: a party or an officer books a service point's day, bad input
is refused by field with nothing written, a full day names the next free one, concurrent bookings
of the last places never overbook, the party is texted, the case and the point list them."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.services import delivery
from tests.factories import case_body, staff_token, working_day


def _day_off() -> date:
    """The first day off (weekend or holiday) a week or more ahead, by the packaged calendar (no
    year is loaded into a test's table, so it is the one in force)."""
    from chalicelib import config
    from chalicelib.domain import workdays

    calendar = workdays.load_calendar(config.load("holidays"))
    day = date.today() + timedelta(days=7)
    while workdays.is_working_day(day, calendar):
        day += timedelta(days=1)
    return day


def _case(api) -> dict:
    reply = api.create_case(case_body())
    assert reply.status == 201, reply.body
    return reply.body


def _booking(day: date, point: str = "SP02", service: str = "PROPERTY_VALUATION", **extra) -> dict:
    return {"servicePointCode": point, "service": service, "preferredDate": day.isoformat(), **extra}


def _book(api, case: dict, body: dict, token: str | None = None):
    return api.call("POST", f"/cases/{case['caseId']}/referrals", token or case["parties"][0]["token"], body)


def _audit_length(case_id: str) -> int:
    from chalicelib.store import cases

    return int(cases.load(case_id).case.audit_seq)


@pytest.fixture
def capacity(monkeypatch):
    """Set a point's daily capacity for the test (the seed's are larger)."""
    from chalicelib.services import referrals

    seeded = referrals.points()

    def set_capacity(code: str, places: int) -> None:
        monkeypatch.setattr(referrals, "points", lambda: {**seeded, code: replace(seeded[code], daily_capacity=places)})

    return set_capacity


def test_given_a_party_when_it_books_then_the_case_lists_it_the_party_is_texted_and_it_is_audited(api):
    case = _case(api)
    day = working_day()
    reply = _book(api, case, _booking(day))
    assert reply.status == 201, reply.body
    booked = reply.body
    assert booked["partyId"] == case["parties"][0]["partyId"]
    assert (booked["servicePointCode"], booked["service"], booked["date"], booked["status"]) == (
        "SP02", "PROPERTY_VALUATION", day.isoformat(), "BOOKED")
    assert (booked["servicePointName"], booked["opens"], booked["closes"]) == ("物损评估服务点", "08:30", "17:00")

    listed = api.call("GET", f"/cases/{case['caseId']}/referrals", staff_token("officer"))
    assert listed.status == 200 and [r["referralId"] for r in listed.body["items"]] == [booked["referralId"]]

    timeline = api.call("GET", f"/cases/{case['caseId']}", case["parties"][0]["token"]).body["timeline"]
    assert [t["action"] for t in timeline].count("REFERRAL_BOOKED") == 1

    delivery.deliver_due()
    texts = api.call("GET", "/local/sms?limit=200", staff_token("dispatcher")).body["messages"]
    mine = [m for m in texts if m["caseId"] == case["caseId"] and "物损评估服务点" in m["text"]]
    assert len(mine) == 1
    assert mine[0]["phone"] == "13812345670"  # the first party's phone (tests.factories.party)
    assert booked["referralId"] in mine[0]["text"] and f"{day:%Y年%m月%d日}" in mine[0]["text"]


def test_given_a_retried_booking_then_it_is_booked_once(api):
    case = _case(api)
    body = _booking(working_day())
    first = _book(api, case, body)
    written = _audit_length(case["caseId"])
    again = _book(api, case, body)
    assert (first.status, again.status) == (201, 200)
    assert again.body["referralId"] == first.body["referralId"]
    assert _audit_length(case["caseId"]) == written
    queue = api.call("GET", f"/service-points/SP02/appointments?date={body['preferredDate']}", staff_token("officer")).body
    assert queue["booked"] == 1 and len(queue["items"]) == 1


def test_given_a_party_with_an_appointment_at_the_point_then_another_day_is_refused(api):
    case = _case(api)
    assert _book(api, case, _booking(working_day(7))).status == 201
    reply = _book(api, case, _booking(working_day(14)))
    assert reply.status == 409 and reply.body["error"]["field"] == "preferredDate"
    assert _book(api, case, _booking(working_day(14), point="SP04", service="LITIGATION")).status == 201  # another point


def test_given_an_officer_then_it_books_for_a_named_party_and_must_name_one(api):
    case = _case(api)
    other = case["parties"][1]["partyId"]
    named = _book(api, case, _booking(working_day(), partyId=other), staff_token("officer"))
    assert named.status == 201 and named.body["partyId"] == other
    unnamed = _book(api, case, _booking(working_day(8)), staff_token("officer"))
    assert unnamed.status == 400 and unnamed.body["error"]["field"] == "partyId"
    elsewhere = _book(api, case, _booking(working_day(), partyId=other), staff_token("officer", jurisdiction="320100"))
    assert elsewhere.status == 404


def test_given_a_party_booking_for_the_other_party_then_403(api):
    case = _case(api)
    reply = _book(api, case, _booking(working_day(), partyId=case["parties"][1]["partyId"]))
    assert reply.status == 403 and reply.body["error"]["field"] == "partyId"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"servicePointCode": "SP99"}, "servicePointCode"),
        ({"service": "LITIGATION"}, "service"),  # SP02 values property only
        ({"service": "HAIRCUT"}, "service"),
        ({"preferredDate": (date.today() - timedelta(days=1)).isoformat()}, "preferredDate"),
        ({"preferredDate": _day_off().isoformat()}, "preferredDate"),
        ({"preferredDate": "2026/12/01"}, "preferredDate"),
        ({"preferredDate": 1790000000}, "preferredDate"),
        ({"preferredDate": "2026-02-30"}, "preferredDate"),
        ({"partyId": "PNOBODY01"}, "partyId"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_given_bad_input_then_400_naming_the_field_and_nothing_written(api, changes, field):
    case = _case(api)
    written = _audit_length(case["caseId"])
    reply = _book(api, case, {**_booking(working_day()), **changes})
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert _audit_length(case["caseId"]) == written
    assert api.call("GET", f"/cases/{case['caseId']}/referrals", case["parties"][0]["token"]).body["items"] == []


def test_given_a_full_day_then_409_with_the_next_freeworking_day(api, capacity):
    capacity("SP02", 2)
    day = working_day()
    following = working_day(1, start=day)
    for case in (_case(api), _case(api)):
        assert _book(api, case, _booking(following)).status == 201  # the next working day is full too
    first = _case(api)
    for token in (p["token"] for p in first["parties"]):
        assert _book(api, first, _booking(day), token).status == 201
    late = _case(api)
    reply = _book(api, late, _booking(day))
    assert reply.status == 409, reply.body
    error = reply.body["error"]
    assert error["code"] == "DayFullyBooked" and error["field"] == "preferredDate"
    assert error["nextFreeDate"] == working_day(1, start=following).isoformat()
    assert error["nextFreeDate"] in error["message"]
    assert _book(api, late, _booking(date.fromisoformat(error["nextFreeDate"]))).status == 201


def test_given_concurrent_bookings_for_the_last_places_then_the_point_is_never_overbooked(api, capacity):
    from chalicelib.store import referrals as referral_store

    capacity("SP02", 3)
    day = working_day()
    assert _book(api, _case(api), _booking(day)).status == 201  # two places left
    tokens = [(case, p["token"]) for case in (_case(api) for _ in range(3)) for p in case["parties"]]  # six parties
    start = threading.Barrier(len(tokens))
    replies: list[tuple[int, str]] = []

    def book(case: dict, token: str) -> None:  # `api` gives each thread its own request, as the local server does
        start.wait(timeout=30)
        reply = api.call("POST", f"/cases/{case['caseId']}/referrals", token, _booking(day))
        replies.append((reply.status, json.dumps(reply.body, ensure_ascii=False)))

    threads = [threading.Thread(target=book, args=pair) for pair in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _ in replies)
    assert statuses == [201, 201, 409, 409, 409, 409], replies
    assert all("DayFullyBooked" in body for status, body in replies if status == 409)
    queue = api.call("GET", f"/service-points/SP02/appointments?date={day.isoformat()}", staff_token("officer")).body
    assert queue["booked"] == 3 and len(queue["items"]) == 3 and queue["dailyCapacity"] == 3
    assert referral_store.booked_days("SP02", day, day) == {day: 3}


def test_given_police_then_the_points_queue_of_a_day_is_read_by_query_and_paged(api, monkeypatch):
    from pynamodb.connection.base import Connection

    day = working_day()
    booked = []
    for _ in range(3):
        booked.append(_book(api, _case(api), _booking(day)).body["referralId"])

    def no_scan(*args, **kwargs):
        raise AssertionError("a request path must not Scan")

    monkeypatch.setattr(Connection, "scan", no_scan)
    officer = staff_token("officer")
    page = api.call("GET", f"/service-points/SP02/appointments?date={day.isoformat()}&limit=2", officer)
    assert page.status == 200, page.body
    assert (page.body["servicePointCode"], page.body["date"], page.body["booked"], page.body["dailyCapacity"]) == (
        "SP02", day.isoformat(), 3, 20)
    rest = api.call("GET", f"/service-points/SP02/appointments?date={day.isoformat()}&limit=2&nextToken={page.body['nextToken']}",
                    officer)
    assert [r["referralId"] for r in page.body["items"] + rest.body["items"]] == booked  # first booked first
    other_day = api.call("GET", f"/service-points/SP02/appointments?date={working_day(30).isoformat()}", officer).body
    assert other_day["items"] == [] and other_day["booked"] == 0


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/service-points/SP99/appointments?date=2026-12-01", 404, "code"),
        ("/service-points/SP02/appointments", 400, "date"),
        ("/service-points/SP02/appointments?date=tomorrow", 400, "date"),
    ],
)
def test_given_a_bad_queue_request_then_it_names_the_field(api, path, status, field):
    reply = api.call("GET", path, staff_token("officer"))
    assert reply.status == status and reply.body["error"]["field"] == field


def test_given_a_party_then_the_points_queue_is_not_theirs(api):
    case = _case(api)
    reply = api.call("GET", f"/service-points/SP02/appointments?date={working_day().isoformat()}", case["parties"][0]["token"])
    assert reply.status == 403
