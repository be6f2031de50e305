from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar.constants import holidays as cc_holidays
from chinese_calendar.constants import workdays as cc_workdays
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib import config
from chalicelib.domain.workdays import (
    Calendar,
    Deadline,
    add_working_days,
    first_uncovered_year,
    is_working_day,
    load_calendar,
    year_problem,
)

CONFIG = config.load("holidays")
CAL = load_calendar(CONFIG)
COVERED = (2025, 2026)
LAST_COVERED = date(2026, 12, 31)


def _days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def _naive(start: date, days: int) -> date:
    """Day by day with chinese_calendar, independent of the code under test."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(1)
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def _due(start: date, days: int) -> date:
    deadline = add_working_days(start, days, CAL)
    assert not deadline.provisional
    assert deadline.due == _naive(start, days), "the hand-computed value disagrees with chinese_calendar"
    return deadline.due


# --- the configured calendar -------------------------------------------------------------------


def test_given_holidays_json_when_loaded_then_it_covers_2025_and_2026_with_a_source_each():
    assert isinstance(CAL, Calendar)
    assert CAL.years == frozenset(COVERED)
    for year in COVERED:
        assert "节假日安排的通知" in CONFIG["years"][str(year)]["source"]


def test_given_the_2026_state_council_notice_when_compared_then_the_config_lists_exactly_its_days():
    announced = [
        *_days("2026-01-01", "2026-01-03"),  # 元旦
        *_days("2026-02-15", "2026-02-23"),  # 春节
        *_days("2026-04-04", "2026-04-06"),  # 清明节
        *_days("2026-05-01", "2026-05-05"),  # 劳动节
        *_days("2026-06-19", "2026-06-21"),  # 端午节
        *_days("2026-09-25", "2026-09-27"),  # 中秋节
        *_days("2026-10-01", "2026-10-07"),  # 国庆节
    ]
    assert CONFIG["years"]["2026"]["holidays"] == [d.isoformat() for d in announced]
    assert CONFIG["years"]["2026"]["workdays"] == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


@pytest.mark.parametrize("year", COVERED)
def test_given_each_covered_year_when_compared_with_chinese_calendar_then_every_day_agrees(year):
    assert {d for d in CAL.holidays if d.year == year} == {d for d in cc_holidays if d.year == year}
    assert {d for d in CAL.workdays if d.year == year} == {d for d in cc_workdays if d.year == year}
    for day in _days(f"{year}-01-01", f"{year}-12-31"):
        assert is_working_day(day, CAL) == chinese_calendar.is_workday(day), day


def test_given_make_up_days_and_holidays_when_asked_then_make_up_worked_holiday_off_else_weekdays():
    assert is_working_day(date(2026, 10, 10), CAL)  # Saturday, make-up
    assert is_working_day(date(2026, 1, 4), CAL)  # Sunday, make-up
    assert not is_working_day(date(2026, 10, 5), CAL)  # Monday, National Day
    assert not is_working_day(date(2026, 10, 11), CAL)  # ordinary Sunday
    assert is_working_day(date(2026, 10, 12), CAL)  # ordinary Monday
    assert is_working_day(date(2028, 1, 3), CAL)  # not covered: a Monday is worked
    assert not is_working_day(date(2028, 1, 1), CAL)  # not covered: a Saturday is off


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"holidays": ["2027-01-01"], "workdays": []}, "not in 2026"),
        ({"holidays": ["2026-01-04"], "workdays": ["2026-01-04"]}, "both"),
        ({"holidays": [], "workdays": ["2026-01-05"]}, "not on a weekend"),
    ],
)
def test_given_a_malformed_calendar_when_loaded_then_a_programming_error(entry, reason):
    with pytest.raises(ValueError, match=reason):
        load_calendar({"years": {"2026": entry}})


# --- deadlines (hand-computed, then checked against chinese_calendar in _due) ---------------------


def test_given_a_letter_served_on_30_sep_2026_when_review_deadline_computed_then_the_make_up_saturday():
    # 9/30 not counted; 10/1–10/7 off; 10/8 Thu (1), 10/9 Fri (2), 10/10 Sat make-up (3).
    assert _due(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_given_a_letter_served_on_30_sep_2026_when_mediation_deadline_computed_then_20_oct():
    # 10/8 (1), 10/9 (2), 10/10 (3), 10/11 Sun off, 10/12–16 (4–8), 10/17–18 off, 10/19 (9), 10/20 (10).
    assert _due(date(2026, 9, 30), 10) == date(2026, 10, 20)


def test_given_a_start_on_a_make_up_sunday_when_counted_then_the_start_is_not_counted():
    # 9/20 Sun make-up, not counted; 9/21–24 (1–4); 9/25–27 Mid-Autumn off; 9/28 Mon (5).
    assert _due(date(2026, 9, 20), 1) == date(2026, 9, 21)
    assert _due(date(2026, 9, 20), 5) == date(2026, 9, 28)
    # 1/4 Sun make-up, not counted; 1/5 Mon (1).
    assert _due(date(2026, 1, 4), 1) == date(2026, 1, 5)


def test_given_a_start_inside_the_spring_festival_when_counted_then_the_holiday_is_skipped():
    # 2/17 (not counted); 2/18–2/23 off; 2/24 Tue (1), 2/25 (2), 2/26 (3), 2/27 Fri (4), 2/28 Sat make-up (5).
    assert _due(date(2026, 2, 17), 1) == date(2026, 2, 24)
    assert _due(date(2026, 2, 17), 3) == date(2026, 2, 26)
    assert _due(date(2026, 2, 17), 5) == date(2026, 2, 28)


def test_given_a_friday_before_a_make_up_saturday_when_one_day_added_then_the_saturday():
    assert _due(date(2026, 2, 13), 1) == date(2026, 2, 14)


def test_given_a_2025_start_over_national_day_when_counted_then_the_2025_arrangement_applies():
    # 9/30/2025 Tue; 10/1–10/8 off; 10/9 Thu (1), 10/10 Fri (2), 10/11 Sat make-up (3).
    assert _due(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_given_a_span_crossing_new_year_2026_when_counted_then_both_years_are_used():
    # 12/31/2025 Wed (1); 1/1–1/3 off; 1/4 Sun make-up (2); 1/5 Mon (3).
    assert _due(date(2025, 12, 30), 3) == date(2026, 1, 5)


# --- provisional deadlines ---------------------------------------------------------------------


def test_given_a_span_inside_covered_years_when_counted_then_not_provisional():
    # 12/28 Mon (not counted); 12/29 (1), 12/30 (2), 12/31 Thu (3).
    assert add_working_days(date(2026, 12, 28), 3, CAL) == Deadline(due=date(2026, 12, 31), provisional=False)


def test_given_a_span_into_an_uncovered_year_when_counted_then_provisional_with_weekends_and_fixed_holidays_off():
    # 12/31 Thu (1); 2027 not announced, but 1/1 is New Year's Day by law (全国年节及纪念日放假办法 Art.2),
    # so it is off whatever the State Council arranges; 1/2–1/3 weekend; 1/4 Mon (2), 1/5 Tue (3).
    assert add_working_days(date(2026, 12, 30), 3, CAL) == Deadline(due=date(2027, 1, 5), provisional=True)


def test_given_a_letter_served_on_18_dec_2026_when_mediation_deadline_computed_then_not_new_years_day():
    # 12/21–25 (1–5), 12/28–31 (6–9); 1/1 New Year's Day off; 1/2–1/3 weekend; 1/4 Mon (10), provisional.
    assert add_working_days(date(2026, 12, 18), 10, CAL) == Deadline(due=date(2027, 1, 4), provisional=True)


@pytest.mark.parametrize("day", ["2027-01-01", "2027-05-01", "2027-05-03", "2027-10-01", "2027-10-02", "2027-10-03"])
def test_given_an_uncovered_year_when_asked_then_the_fixed_date_statutory_holidays_are_off(day):
    # 2027-05-03 is a Monday after the fixed May Day holidays (5/1–5/2, a weekend): a working day.
    expected = day == "2027-05-03"
    assert is_working_day(date.fromisoformat(day), CAL) is expected


def test_given_a_calendar_when_asked_for_the_first_uncovered_year_of_a_span_then_it_is_named():
    assert first_uncovered_year(date(2026, 12, 18), date(2027, 1, 4), CAL) == 2027
    assert first_uncovered_year(date(2026, 12, 1), date(2026, 12, 31), CAL) is None
    assert first_uncovered_year(date(2026, 12, 31), date(2026, 12, 31), CAL) is None  # the start is not counted


@pytest.mark.parametrize(
    ("holidays", "workdays", "field", "reason"),
    [
        (["2028-01-01"], [], "holidays", "not in 2027"),
        (["2027-02-06"], ["2027-02-06"], "workdays", "both"),
        ([], ["2027-02-08"], "workdays", "not a Saturday or Sunday"),
        (["2027-13-01"], [], "holidays", "not a date"),
    ],
)
def test_given_a_year_arrangement_when_checked_then_the_problem_names_its_field(holidays, workdays, field, reason):
    problem = year_problem(2027, holidays, workdays)
    assert problem is not None and problem[0] == field and reason in problem[1]
    assert year_problem(2027, ["2027-01-01"], ["2027-02-06"]) is None  # 2/6/2027 is a Saturday


def test_given_2027_configured_when_a_span_crosses_into_2028_then_provisional():
    with_2027 = load_calendar(
        {"years": {**CONFIG["years"], "2027": {"source": "test fixture", "holidays": ["2027-12-31"], "workdays": []}}}
    )
    # 12/27 Mon (not counted); 12/28–12/30 (1–3); 12/31 Fri a holiday in the fixture; 2028: 1/1–1/2 weekend; 1/3 Mon (4).
    inside = add_working_days(date(2027, 12, 27), 3, with_2027)
    assert inside == Deadline(due=date(2027, 12, 30), provisional=False)
    crossing = add_working_days(date(2027, 12, 27), 4, with_2027)
    assert crossing == Deadline(due=date(2028, 1, 3), provisional=True)


def test_given_a_start_in_an_uncovered_year_when_every_day_counted_is_covered_then_not_provisional():
    # The start day is not examined: 2025-01-01 off, 1/2 Thu (1).
    assert add_working_days(date(2024, 12, 31), 1, CAL) == Deadline(due=date(2025, 1, 2), provisional=False)


@pytest.mark.parametrize("days", [0, -3])
def test_given_fewer_than_one_day_when_counted_then_value_error(days):
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(date(2026, 5, 6), days, CAL)


# --- property ----------------------------------------------------------------------------------


@given(start=st.dates(min_value=date(2025, 1, 1), max_value=LAST_COVERED), days=st.integers(min_value=1, max_value=30))
def test_given_any_start_in_the_covered_years_when_counted_then_it_agrees_with_chinese_calendar(start, days):
    day, counted = start, 0
    while counted < days:
        day += timedelta(1)
        assume(day <= LAST_COVERED)
        counted += chinese_calendar.is_workday(day)
    assert add_working_days(start, days, CAL) == Deadline(due=day, provisional=False)
