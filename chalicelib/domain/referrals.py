"""Offline referrals (design item 8): appointments at the four one-stop service points.

A point offers one service, opens on working days between its hours and takes so many
appointments a day (`servicePoints` in the seed configuration: local practice, versioned). These
rules judge a request against them; counting what is booked, without losing a concurrent booking,
is the store's part (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain import workdays
from chalicelib.domain.beijing_time import CHINA
from chalicelib.errors import DayFullyBooked, ValidationFailed

# How far ahead a full day's refusal looks for the next free one.
HORIZON_DAYS = 90
BOOKED = "BOOKED"


class Service(StrEnum):
    DISABILITY_ASSESSMENT = "DISABILITY_ASSESSMENT"  # 伤残鉴定
    PROPERTY_VALUATION = "PROPERTY_VALUATION"  # 物损评估
    SOCIAL_AID = "SOCIAL_AID"  # 社会救助
    LITIGATION = "LITIGATION"  # 诉讼服务


@dataclass(frozen=True)
class ServicePoint:
    code: str
    name: str
    service: Service
    opens: time
    closes: time
    daily_capacity: int


@dataclass(frozen=True)
class Appointment:
    """One booked visit of a party of a case to a service point, on a working day within its hours."""

    referral_id: str
    case_id: str
    party_id: str
    point_code: str
    service: Service
    day: date
    status: str
    booked_by: str  # the audit name of who booked it
    booked_at: str  # ISO time


def service_points(entries: Iterable[Mapping[str, Any]]) -> dict[str, ServicePoint]:
    """The points by code, from the seed's `servicePoints` (a malformed entry is a programming error)."""
    return {
        entry["code"]: ServicePoint(
            code=entry["code"],
            name=entry["name"],
            service=Service(entry["service"]),
            opens=time.fromisoformat(entry["hours"]["opens"]),
            closes=time.fromisoformat(entry["hours"]["closes"]),
            daily_capacity=int(entry["dailyCapacity"]),
        )
        for entry in entries
    }


def ensure_bookable(point: ServicePoint, service: Service, day: date, now: datetime, calendar: workdays.Calendar) -> None:
    """The point offers the service and is open that day, judged by Beijing time `now`."""
    if service is not point.service:
        raise ValidationFailed(f"service point {point.code} offers {point.service.value} only", field="service")
    local = now.astimezone(CHINA)
    if day < local.date():
        raise ValidationFailed("is in the past", field="preferredDate")
    if not workdays.is_working_day(day, calendar):
        raise ValidationFailed("is not a working day (weekend or public holiday)", field="preferredDate")
    if day == local.date() and local.time() >= point.closes:
        raise ValidationFailed(f"the point has closed for today ({point.closes:%H:%M}); choose a later day", field="preferredDate")


def search_window(day: date) -> tuple[date, date]:
    """The days after `day` a full day's refusal looks through for a free one (inclusive)."""
    first = day + timedelta(days=1)
    return first, first + timedelta(days=HORIZON_DAYS - 1)


def next_free_day(point: ServicePoint, day: date, booked: Mapping[date, int], calendar: workdays.Calendar) -> date | None:
    """The first working day after `day` within the horizon with an appointment left."""
    first, last = search_window(day)
    candidate = first
    while candidate <= last:
        if workdays.is_working_day(candidate, calendar) and booked.get(candidate, 0) < point.daily_capacity:
            return candidate
        candidate += timedelta(days=1)
    return None


def ensure_room(point: ServicePoint, day: date, booked: Mapping[date, int], calendar: workdays.Calendar) -> None:
    """An appointment is left that day; else 409 naming the next free working day (None past the horizon)."""
    if booked.get(day, 0) < point.daily_capacity:
        return
    free = next_free_day(point, day, booked, calendar)
    after = f"the next free working day is {free.isoformat()}" if free else f"no day is free in the next {HORIZON_DAYS} days"
    raise DayFullyBooked(f"{point.code} is fully booked on {day.isoformat()}; {after}", field="preferredDate",
                         nextFreeDate=free.isoformat() if free else None)
