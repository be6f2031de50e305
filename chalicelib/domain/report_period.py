"""Which calendar days a report covers (issue 15): a Beijing day or a Beijing month, as asked by a
caller or chosen by a schedule. Pure: the clock is passed in.

Input is checked here, each problem naming its field: a date must be `YYYY-MM-DD`, a month
`YYYY-MM` (01..12); a period that has not started yet is refused (today's day and this month are
allowed: they are reports so far, replaced when the schedule runs them after they end)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.report_figures import Period, days_of_month
from chalicelib.errors import ValidationFailed

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class ReportPeriod:
    period: Period
    label: str  # the day `YYYY-MM-DD` or the month `YYYY-MM`

    @property
    def days(self) -> list[date]:
        return [date.fromisoformat(self.label)] if self.period == "DAY" else days_of_month(self.label)

    @property
    def field(self) -> str:
        """The wire name of the label: `date` for a day, `month` for a month."""
        return "date" if self.period == "DAY" else "month"


def beijing_today(now: datetime) -> date:
    return now.astimezone(CHINA).date()


def day(on: date) -> ReportPeriod:
    return ReportPeriod("DAY", on.isoformat())


def previous_day(now: datetime) -> ReportPeriod:
    """What the daily schedule reports: the Beijing day before `now`."""
    return day(beijing_today(now) - timedelta(days=1))


def previous_month(now: datetime) -> ReportPeriod:
    """What the monthly schedule reports: the Beijing month before `now`'s."""
    last_of_previous = beijing_today(now).replace(day=1) - timedelta(days=1)
    return ReportPeriod("MONTH", last_of_previous.strftime("%Y-%m"))


def requested(period: str, day_text: str | None, month_text: str | None, now: datetime) -> ReportPeriod:
    """A caller's period: DAY with `date`, or MONTH with `month`; never both, never in the future."""
    today = beijing_today(now)
    if period == "DAY":
        if month_text is not None:
            raise ValidationFailed("a DAY report takes a date, not a month", field="month")
        if day_text is None:
            raise ValidationFailed("a DAY report needs a date (YYYY-MM-DD)", field="date")
        try:
            on = date.fromisoformat(day_text) if _DATE.match(day_text) else None
        except ValueError:
            on = None
        if on is None:
            raise ValidationFailed("must be a calendar date YYYY-MM-DD", field="date")
        if on > today:
            raise ValidationFailed(f"is in the future (today is {today.isoformat()} in Beijing)", field="date")
        return day(on)
    if period == "MONTH":
        if day_text is not None:
            raise ValidationFailed("a MONTH report takes a month, not a date", field="date")
        if month_text is None:
            raise ValidationFailed("a MONTH report needs a month (YYYY-MM)", field="month")
        if not _MONTH.match(month_text):
            raise ValidationFailed("must be a month YYYY-MM (01 to 12)", field="month")
        if month_text > today.strftime("%Y-%m"):
            raise ValidationFailed(f"is in the future (this month is {today.strftime('%Y-%m')} in Beijing)", field="month")
        return ReportPeriod("MONTH", month_text)
    raise ValidationFailed("must be DAY or MONTH", field="period")
