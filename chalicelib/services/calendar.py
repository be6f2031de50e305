"""The working-day calendar in force: the years an operator loaded (versioned, in the table) over
the packaged `holidays.json`, which is only the default for the years not loaded.

Loading a year recounts the deadlines that were provisional for want of it (found through the
store's index of such cases, never a Scan) and tells each party whose date moved.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import config
from chalicelib.contracts.admin import CalendarLoaded, CalendarOverview, CalendarYearView, LoadCalendarYear
from chalicelib.domain import workdays
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.principals import Principal
from chalicelib.errors import ValidationFailed
from chalicelib.store import calendar as store
from chalicelib.store import cases as case_store

LOADED, PACKAGED, NONE = "LOADED", "PACKAGED", "NONE"
FIRST_YEAR, LAST_YEAR = 2020, 2100
# From this month on, next year's arrangement should be in force (the State Council publishes it in
# October to December): deadlines counted from late December already run into it.
WARN_FROM_MONTH = 12
# Published by `functions/calendar_check` (1 while next year's arrangement is missing from December);
# the alarm in `infra/cdk/monitoring.py` watches it.
NEXT_YEAR_MISSING_METRIC = "NextYearCalendarMissing"


def _arrangements() -> dict[str, dict[str, Any]]:
    """Every year in force: the packaged ones, replaced by a loaded version where there is one."""
    packaged = config.load("holidays")
    years: dict[str, dict[str, Any]] = {year: {**entry, "origin": PACKAGED} for year, entry in packaged["years"].items()}
    for year, loaded in store.all_in_force().items():
        years[str(year)] = {
            "source": loaded.source,
            "holidays": list(loaded.holidays),
            "workdays": list(loaded.workdays),
            "origin": LOADED,
            "version": loaded.version,
            "loadedBy": loaded.loaded_by,
            "loadedAt": loaded.loaded_at,
        }
    return years


def current() -> workdays.Calendar:
    """The calendar every deadline is counted with (one Query on the calendar's partition)."""
    packaged = config.load("holidays")
    return workdays.load_calendar({**packaged, "years": _arrangements()})


def _year_view(year: int, entry: dict[str, Any] | None) -> CalendarYearView:
    if entry is None:
        return CalendarYearView(year=year, source=NONE)
    return CalendarYearView(
        year=year,
        source=entry["origin"],
        version=entry.get("version"),
        notice=entry.get("source") or None,
        holidays=sorted(entry["holidays"]),
        workdays=sorted(entry["workdays"]),
        loaded_by=entry.get("loadedBy"),
        loaded_at=entry.get("loadedAt"),
    )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(f"must be a year from {FIRST_YEAR} to {LAST_YEAR}", field="year")


def _year(year_text: str) -> int:
    if not year_text.isdigit():
        raise ValidationFailed("must be a year, e.g. 2027", field="year")
    year = int(year_text)
    _check_year(year)
    return year


def year_in_force(year_text: str) -> CalendarYearView:
    year = _year(year_text)
    return _year_view(year, _arrangements().get(str(year)))


def next_year_warning(today: date, calendar: workdays.Calendar) -> str | None:
    """From 1 December, a warning while next year's arrangement is not in force."""
    following = today.year + 1
    if today.month < WARN_FROM_MONTH or following in calendar.years:
        return None
    return (
        f"{following}年节假日安排尚未载入：跨年的复核、调解和保险理赔期限只能暂定。"
        f"请在国务院公布后载入（PUT /admin/calendar/{following}）。"
    )


def missing_next_year(today: date | None = None) -> int | None:
    """Next year, when from 1 December its arrangement is not in force; else None."""
    day = today or case_store.utcnow().astimezone(CHINA).date()
    return day.year + 1 if next_year_warning(day, current()) else None


def overview(today: date | None = None) -> CalendarOverview:
    day = today or case_store.utcnow().astimezone(CHINA).date()
    arrangements = _arrangements()
    calendar = workdays.load_calendar({**config.load("holidays"), "years": arrangements})
    warning = next_year_warning(day, calendar)
    return CalendarOverview(
        years=[_year_view(int(year), entry) for year, entry in sorted(arrangements.items())],
        next_year=day.year + 1,
        next_year_in_force=day.year + 1 in calendar.years,
        warning=warning,
    )


def load(principal: Principal, year_text: str, body: LoadCalendarYear) -> CalendarLoaded:
    """A new version of the year, then the provisional deadlines waiting for it recounted."""
    from chalicelib.services import determination  # determination counts deadlines with this module

    year = _year(year_text)
    problem = workdays.year_problem(year, list(body.holidays), list(body.workdays))
    if problem is not None:
        raise ValidationFailed(problem[1], field=problem[0])
    loaded = store.load_year(year, list(body.holidays), list(body.workdays), body.source or "", principal.audit_name,
                              case_store.iso(case_store.utcnow()))
    recounted = determination.recount_waiting(year, current())
    view = _year_view(year, {"origin": LOADED, "version": loaded.version, "source": loaded.source, "holidays": loaded.holidays,
                             "workdays": loaded.workdays, "loadedBy": loaded.loaded_by, "loadedAt": loaded.loaded_at})
    return CalendarLoaded(**view.model_dump(), cases_recounted=recounted.cases, cases_changed=recounted.changed)
