"""Offline referrals: booking an appointment at a service point, a case's appointments and a
point's queue of a day."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from chalicelib.contracts.common import Contract, Reply
from chalicelib.domain.referrals import Service

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day_text(value: Any) -> Any:
    # pydantic would also take a number (seconds since 1970) or a date and time: a day is YYYY-MM-DD.
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("must be a date as YYYY-MM-DD, e.g. 2026-10-09")
    return value


Day = Annotated[date, BeforeValidator(_day_text)]


class BookReferral(Contract):
    service_point_code: str = Field(min_length=2, max_length=16, description="a service point code (GET /service-points)")
    service: Service
    preferred_date: Day = Field(description="a working day, today or later (Beijing time)")
    party_id: str | None = Field(default=None, min_length=2, max_length=20,
                                 description="the party the appointment is for; a party's own token may leave it out")


class ReferralView(Reply):
    referral_id: str
    case_id: str
    party_id: str
    service_point_code: str
    service_point_name: str
    service: Service
    date: date
    opens: str = Field(description="the point's opening time that day, HH:MM Beijing time")
    closes: str
    status: str
    booked_at: str


class ReferralList(Reply):
    items: list[ReferralView]


class AppointmentsQuery(Contract):
    date: Day
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class PointAppointments(Reply):
    service_point_code: str
    service_point_name: str
    date: date
    daily_capacity: int
    booked: int
    items: list[ReferralView]
    next_token: str | None = None
