"""When the report schedules fire (issue 15), in Beijing time (Asia/Shanghai): the daily report at
00:10 for the day before, the monthly one on the 1st at 00:30 for the month before. The CDK schedules
(EventBridge Scheduler with `scheduleExpressionTimezone`) and the local stack's timers both read
these, so they cannot drift apart. Pure: the clock is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.beijing_time import CHINA

TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Schedule:
    hour: int
    minute: int
    day_of_month: int | None = None  # None: every day

    @property
    def cron(self) -> str:
        """EventBridge Scheduler's `cron(minutes hours day-of-month month day-of-week year)`."""
        day = str(self.day_of_month) if self.day_of_month else "*"
        return f"cron({self.minute} {self.hour} {day} * ? *)"

    def next_after(self, now: datetime) -> datetime:
        """The first firing strictly after `now` (aware), in Beijing time."""
        local = now.astimezone(CHINA)
        candidate = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.day_of_month is None:
            return candidate if candidate > local else candidate + timedelta(days=1)
        candidate = candidate.replace(day=self.day_of_month)
        if candidate > local:
            return candidate
        return (candidate.replace(day=28) + timedelta(days=4)).replace(day=self.day_of_month)  # next month


DAILY = Schedule(hour=0, minute=10)
MONTHLY = Schedule(hour=0, minute=30, day_of_month=1)
