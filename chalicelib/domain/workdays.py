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
    """The years whose arrangement is known; outside them only weekends are assumed off."""


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool
    """True when the count ran through a year the calendar does not cover: the holidays of that year
    were not announced (or not configured), so only weekends were taken as days off and `due` may
    move once the year is added."""


def load_calendar(config: dict[str, Any]) -> Calendar:
    """The calendar from `config.load("holidays")`: {"years": {"2026": {"holidays": [...], "workdays": [...]}}}.

    A malformed file is a programming error: ValueError for a date outside its year, a day both off and
    worked, or a make-up working day that is not on a weekend.
    """
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for year_text, entry in config["years"].items():
        year = int(year_text)
        off = {date.fromisoformat(d) for d in entry["holidays"]}
        worked = {date.fromisoformat(d) for d in entry["workdays"]}
        stray = sorted(d for d in off | worked if d.year != year)
        if stray:
            raise ValueError(f"holidays.json {year}: {stray[0].isoformat()} is not in {year}")
        both = sorted(off & worked)
        if both:
            raise ValueError(f"holidays.json {year}: {both[0].isoformat()} is both a holiday and a working day")
        weekdays = sorted(d for d in worked if d.weekday() < _SATURDAY)
        if weekdays:
            raise ValueError(f"holidays.json {year}: make-up working day {weekdays[0].isoformat()} is not on a weekend")
        holidays |= off
        workdays |= worked
        years.add(year)
    return Calendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=frozenset(years))


def is_working_day(day: date, calendar: Calendar) -> bool:
    """A make-up working day is worked; a holiday is not; otherwise Monday to Friday."""
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < _SATURDAY


def add_working_days(start: date, days: int, calendar: Calendar) -> Deadline:
    """The `days`-th working day after `start`; `start` itself is not counted, whatever it is.

    Each day after `start` up to the result is examined; if any of them lies in a year the calendar
    does not cover, that year is assumed to have no holidays and no make-up days (only Saturdays and
    Sundays off) and the deadline is marked provisional.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    day = start
    counted = 0
    provisional = False
    while counted < days:
        day += timedelta(days=1)
        provisional = provisional or day.year not in calendar.years
        if is_working_day(day, calendar):
            counted += 1
    return Deadline(due=day, provisional=provisional)
