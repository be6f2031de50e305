"""The report schedules and periods in Beijing time (chalicelib/domain/report_schedule.py, report_period.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.report_period import ReportPeriod, previous_day, previous_month, requested
from chalicelib.domain.report_schedule import DAILY, MONTHLY
from chalicelib.errors import ValidationFailed


def bj(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA)


def test_the_cron_expressions_are_00_10_daily_and_00_30_on_the_first():
    assert DAILY.cron == "cron(10 0 * * ? *)"
    assert MONTHLY.cron == "cron(30 0 1 * ? *)"


@pytest.mark.parametrize(
    ("now", "daily", "monthly"),
    [
        # 23:59 Beijing on 31 October is 15:59 UTC: the next daily run is 00:10 on 1 November
        (datetime(2026, 10, 31, 15, 59, tzinfo=UTC), bj(2026, 11, 1, 0, 10), bj(2026, 11, 1, 0, 30)),
        # exactly 00:10 Beijing: that run is now, the next is tomorrow's
        (bj(2026, 11, 1, 0, 10), bj(2026, 11, 2, 0, 10), bj(2026, 11, 1, 0, 30)),
        (bj(2026, 12, 31, 23, 0), bj(2027, 1, 1, 0, 10), bj(2027, 1, 1, 0, 30)),
        (bj(2026, 2, 1, 0, 31), bj(2026, 2, 2, 0, 10), bj(2026, 3, 1, 0, 30)),
    ],
)
def test_the_next_firing_is_the_next_beijing_time(now, daily, monthly):
    assert DAILY.next_after(now) == daily
    assert MONTHLY.next_after(now) == monthly


def test_the_schedules_report_the_beijing_day_and_month_before():
    fired = datetime(2026, 10, 31, 16, 10, tzinfo=UTC)  # 00:10 on 1 November in Beijing
    assert previous_day(fired) == ReportPeriod("DAY", "2026-10-31")
    assert previous_month(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == ReportPeriod("MONTH", "2026-12")
    assert previous_month(bj(2027, 1, 1, 0, 30)) == ReportPeriod("MONTH", "2026-12")


def test_a_month_covers_its_calendar_days():
    assert ReportPeriod("MONTH", "2028-02").days[-1] == date(2028, 2, 29)
    assert len(ReportPeriod("MONTH", "2026-10").days) == 31


def test_today_and_this_month_are_allowed_tomorrow_is_not():
    now = datetime(2026, 10, 31, 16, 5, tzinfo=UTC)  # 00:05 on 1 November in Beijing
    assert requested("DAY", "2026-11-01", None, now).label == "2026-11-01"
    assert requested("MONTH", None, "2026-11", now).label == "2026-11"
    with pytest.raises(ValidationFailed) as refused:
        requested("DAY", "2026-11-02", None, now)
    assert refused.value.field == "date"
    with pytest.raises(ValidationFailed) as refused:
        requested("MONTH", None, "2026-12", now)
    assert refused.value.field == "month"
