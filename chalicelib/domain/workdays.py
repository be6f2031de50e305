"""Working-day deadlines under Order 146 (公安部令第146号).

Art.112(5): the periods of 1, 2, 3, 5 and 10 days in the Order (一日、二日、三日、五日、十日) are working
days, holidays excluded. Longer periods (e.g. the 30 days to decide a review, Art.74) are not on that
list and are calendar days, so they do not belong here. As for every period, the day it starts from
(service of the letter, the application...) is not counted.

Which days are off is announced each year by the State Council (国务院办公厅关于XXXX年部分节假日安排的通知):
the days off, including weekends inside a holiday, and the weekend days worked instead (调休上班).
They live in `chalicelib/config/holidays.json`, one entry per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

_SATURDAY = 5


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    """Make-up working days that fall on a weekend."""
    years: frozenset[int]
    """The years whose arrangement is known; outside them only weekends and the fixed-date holidays are off."""
    fixed_holidays: frozenset[tuple[int, int]] = frozenset()
    """(month, day) of the statutory holidays on a fixed date (元旦, 劳动节, 国庆节): off in every year,
    announced or not, by the 全国年节及纪念日放假办法; the lunar ones move and wait for the notice."""


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool
    """True when the count ran through a year the calendar does not cover: the holidays of that year
    were not announced (or not configured), so only weekends and the fixed-date holidays were taken
    as days off and `due` may move once the year is added."""


def _dates(texts: list[str]) -> set[date]:
    return {date.fromisoformat(text) for text in texts}


def year_problem(year: int, holidays: list[str], workdays: list[str]) -> tuple[str, str] | None:
    """What is wrong with a year's arrangement, as (field, reason), or None when it can be used:
    every date inside the year, no day both off and worked, make-up working days (调休上班) only on
    a Saturday or Sunday (a weekday is a working day anyway)."""
    for field, texts in (("holidays", holidays), ("workdays", workdays)):
        for text in texts:
            try:
                day = date.fromisoformat(text)
            except (TypeError, ValueError):
                return field, f"{text!r} is not a date (YYYY-MM-DD)"
            if day.year != year:
                return field, f"{text} is not in {year}"
    both = sorted(_dates(holidays) & _dates(workdays))
    if both:
        return "workdays", f"{both[0].isoformat()} is both a holiday and a working day"
    weekdays = sorted(d for d in _dates(workdays) if d.weekday() < _SATURDAY)
    if weekdays:
        return "workdays", f"make-up working day {weekdays[0].isoformat()} is not a Saturday or Sunday (not on a weekend)"
    return None


def load_calendar(config: dict[str, Any]) -> Calendar:
    """The calendar from `config.load("holidays")`: {"years": {"2026": {"holidays": [...], "workdays": [...]}},
    "fixedHolidays": ["01-01", ...]}.

    A malformed file is a programming error: ValueError for a date outside its year, a day both off and
    worked, or a make-up working day that is not on a weekend.
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for year_text, entry in config["years"].items():
        year = int(year_text)
        problem = year_problem(year, entry["holidays"], entry["workdays"])
        if problem:
            raise ValueError(f"holidays.json {year} {problem[0]}: {problem[1]}")
        holidays |= _dates(entry["holidays"])
        workdays |= _dates(entry["workdays"])
        years.add(year)
    fixed = frozenset((int(text[:2]), int(text[3:])) for text in config.get("fixedHolidays", []))
    return Calendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(years), fixed_holidays=fixed)


def is_working_day(day: date, calendar: Calendar) -> bool:
    """A make-up working day is worked; a holiday is not; otherwise Monday to Friday."""
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    if day.year not in calendar.years and (day.month, day.day) in calendar.fixed_holidays:
        return False
    return day.weekday() < _SATURDAY


def first_uncovered_year(start: date, end: date, calendar: Calendar) -> int | None:
    """The first year of the days after `start` up to `end` whose arrangement the calendar lacks:
    a deadline counted over them is provisional and is recounted once that year is loaded."""
    if end <= start:
        return None
    first_day = start + timedelta(days=1)  # the start day itself is not counted
    return next((year for year in range(first_day.year, end.year + 1) if year not in calendar.years), None)


def add_working_days(start: date, days: int, calendar: Calendar) -> Deadline:
    """The `days`-th working day after `start`; `start` itself is not counted, whatever it is.

    Each day after `start` up to the result is examined; if any of them lies in a year the calendar
    does not cover, that year is assumed to have only its fixed-date statutory holidays and no make-up
    days and the deadline is marked provisional.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return Deadline(due=day, provisional=first_uncovered_year(start, day, calendar) is not None)
