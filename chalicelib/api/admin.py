"""Operator settings: the working-day calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.admin import CalendarLoaded, CalendarOverview, CalendarYearView, LoadCalendarYear

blueprint = Blueprint(__name__)
A = "chalicelib.contracts.admin"
SUPERVISOR = frozenset({Role.SUPERVISOR})


@operation(blueprint, "/admin/calendar", "GET", summary="The years of the working-day calendar in force, and a warning from "
           "1 December while next year's is missing", roles=SUPERVISOR, reply=f"{A}:CalendarOverview")
def get_calendar(principal: Principal) -> CalendarOverview:
    from chalicelib.services import calendar

    return calendar.overview()


@operation(blueprint, "/admin/calendar/{year}", "GET", summary="A year's holiday arrangement in force, its source and version",
           roles=SUPERVISOR, reply=f"{A}:CalendarYearView")
def get_calendar_year(principal: Principal, year: str) -> CalendarYearView:
    from chalicelib.services import calendar

    return calendar.year_in_force(year)


@operation(blueprint, "/admin/calendar/{year}", "PUT", summary="Load a year's holiday arrangement (a new version); provisional "
           "deadlines waiting for it are recounted and parties told of a changed date", roles=SUPERVISOR,
           body=f"{A}:LoadCalendarYear", reply=f"{A}:CalendarLoaded")
def put_calendar_year(principal: Principal, year: str, body: LoadCalendarYear) -> CalendarLoaded:
    from chalicelib.services import calendar

    return calendar.load(principal, year, body)
