"""Operator settings: the working-day calendar (the State Council's yearly holiday arrangement)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.contracts.common import Contract, Reply

Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]


class LoadCalendarYear(Contract):
    holidays: list[Day] = Field(max_length=60, description="every day off of the year's arrangement, weekends inside a holiday too")
    workdays: list[Day] = Field(default_factory=list, max_length=20, description="Saturdays and Sundays worked instead (调休上班)")
    source: str | None = Field(default=None, max_length=200, description="the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知")


class CalendarYearView(Reply):
    year: int
    source: str = Field(
        description="LOADED (by an operator, versioned), PACKAGED (holidays.json) or NONE (weekends and fixed-date holidays only)"
    )
    version: int | None = None
    notice: str | None = None
    holidays: list[str] = Field(default_factory=list)
    workdays: list[str] = Field(default_factory=list)
    loaded_by: str | None = None
    loaded_at: str | None = None


class CalendarLoaded(CalendarYearView):
    cases_recounted: int
    cases_changed: int


class CalendarOverview(Reply):
    years: list[CalendarYearView]
    next_year: int
    next_year_in_force: bool
    warning: str | None = Field(default=None, description="from 1 December while next year's arrangement is not in force")
