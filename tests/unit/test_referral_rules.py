"""Offline referrals, the pure rules: which point offers what, when it is open, whether a day is
free, and the next free working day (across a weekend and a holiday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from chalicelib.domain import referrals
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.referrals import Service, ServicePoint
from chalicelib.domain.workdays import Calendar
from chalicelib.errors import DayFullyBooked, ValidationFailed

# 2026-10-01..07 National Day (Thu 1 .. Wed 7), Sat 2026-10-10 a make-up working day.
CALENDAR = Calendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({date(2026, 10, 10)}),
    years=frozenset({2026}),
)
POINT = ServicePoint(code="SP02", name="物损评估服务点", service=Service.PROPERTY_VALUATION,
                     opens=time(8, 30), closes=time(17, 0), daily_capacity=3)
MONDAY_MORNING = datetime(2026, 9, 28, 9, 0, tzinfo=CHINA)


def test_points_are_read_from_the_seed_configuration() -> None:
    points = referrals.service_points([
        {"code": "SP01", "name": "伤残鉴定服务点", "service": "DISABILITY_ASSESSMENT", "lat": 1, "lng": 2,
         "hours": {"opens": "08:30", "closes": "17:00"}, "dailyCapacity": 12},
    ])
    assert points["SP01"] == ServicePoint(code="SP01", name="伤残鉴定服务点", service=Service.DISABILITY_ASSESSMENT,
                                          opens=time(8, 30), closes=time(17, 0), daily_capacity=12)


def test_the_seeded_points_each_have_hours_and_a_capacity() -> None:
    from chalicelib import config

    points = referrals.service_points(config.load("seed_yancheng")["servicePoints"])
    assert sorted(points) == ["SP01", "SP02", "SP03", "SP04"]
    assert {p.service for p in points.values()} == set(Service)
    assert all(p.daily_capacity > 0 and p.opens < p.closes for p in points.values())


def test_a_working_day_in_the_future_is_bookable() -> None:
    referrals.ensure_bookable(POINT, Service.PROPERTY_VALUATION, date(2026, 9, 29), MONDAY_MORNING, CALENDAR)


def test_a_make_up_saturday_is_a_working_day() -> None:
    referrals.ensure_bookable(POINT, Service.PROPERTY_VALUATION, date(2026, 10, 10), MONDAY_MORNING, CALENDAR)


@pytest.mark.parametrize(
    ("service", "day", "now", "field", "words"),
    [
        (Service.LITIGATION, date(2026, 9, 29), MONDAY_MORNING, "service", "offers PROPERTY_VALUATION"),
        (Service.PROPERTY_VALUATION, date(2026, 9, 25), MONDAY_MORNING, "preferredDate", "past"),
        (Service.PROPERTY_VALUATION, date(2026, 10, 3), MONDAY_MORNING, "preferredDate", "not a working day"),  # holiday
        (Service.PROPERTY_VALUATION, date(2026, 10, 11), MONDAY_MORNING, "preferredDate", "not a working day"),  # Sunday
        (Service.PROPERTY_VALUATION, date(2026, 9, 28), datetime(2026, 9, 28, 17, 0, tzinfo=CHINA), "preferredDate", "closed"),
    ],
)
def test_what_cannot_be_booked_names_the_field(service, day, now, field, words) -> None:
    with pytest.raises(ValidationFailed, match=words) as refused:
        referrals.ensure_bookable(POINT, service, day, now, CALENDAR)
    assert refused.value.field == field


def test_today_can_be_booked_until_the_point_closes() -> None:
    referrals.ensure_bookable(POINT, Service.PROPERTY_VALUATION, date(2026, 9, 28),
                              datetime(2026, 9, 28, 16, 59, tzinfo=CHINA), CALENDAR)


def test_the_day_is_judged_in_beijing_time() -> None:
    after_midnight_in_beijing = datetime(2026, 9, 28, 17, 0, tzinfo=UTC)  # 2026-09-29 01:00 in Beijing
    with pytest.raises(ValidationFailed, match="past"):
        referrals.ensure_bookable(POINT, Service.PROPERTY_VALUATION, date(2026, 9, 28), after_midnight_in_beijing, CALENDAR)
    referrals.ensure_bookable(POINT, Service.PROPERTY_VALUATION, date(2026, 9, 29), after_midnight_in_beijing, CALENDAR)


def test_a_day_with_room_is_taken_and_a_full_day_names_the_next_free_working_day() -> None:
    referrals.ensure_room(POINT, date(2026, 9, 30), {date(2026, 9, 30): 2}, CALENDAR)
    booked = {date(2026, 9, 30): 3, date(2026, 10, 8): 3, date(2026, 10, 9): 1}
    with pytest.raises(DayFullyBooked) as full:
        referrals.ensure_room(POINT, date(2026, 9, 30), booked, CALENDAR)
    # 10-01..07 are the holiday, 10-08 is full too: Friday 10-09 has room.
    assert full.value.status == 409
    assert full.value.field == "preferredDate"
    assert full.value.details["nextFreeDate"] == "2026-10-09"
    assert "2026-10-09" in full.value.message


def test_the_next_free_day_skips_weekends_holidays_and_full_days() -> None:
    booked = {date(2026, 10, 9): 3}
    assert referrals.next_free_day(POINT, date(2026, 9, 30), booked, CALENDAR) == date(2026, 10, 8)
    assert referrals.next_free_day(POINT, date(2026, 10, 8), booked, CALENDAR) == date(2026, 10, 10)  # make-up Saturday


def test_no_free_day_within_the_horizon_says_so() -> None:
    every_day = {date.fromordinal(date(2026, 9, 29).toordinal() + n): 3 for n in range(400)}
    with pytest.raises(DayFullyBooked) as full:
        referrals.ensure_room(POINT, date(2026, 9, 29), every_day, CALENDAR)
    assert full.value.details["nextFreeDate"] is None


def test_the_search_window_after_a_day() -> None:
    assert referrals.search_window(date(2026, 9, 30)) == (date(2026, 10, 1), date(2026, 10, 1).fromordinal(
        date(2026, 10, 1).toordinal() + referrals.HORIZON_DAYS - 1))
