"""Appointments at the service points and each point's count of what is booked per day.

- a case's appointments: `REFERRAL#<caseId>`, sort key the referral id (off the case partition,
  so the case aggregate's read does not carry them);
- a point's queue of a day: gsi1 `SPQUEUE#<point>#<date>`, `<bookedAt>#<referralId>`;
- a point's booked count: `SPDAY#<point>`, sort key the date. A booking writes the count one
  higher on condition it still holds the value read, in the case's transaction (ADR 0022): two
  bookings that read the same count cannot both be written, and the loser decides again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.domain.referrals import Appointment, Service
from chalicelib.store import index_reads, paging
from chalicelib.store.table import Gsi1, TableItem, TableMeta


class AppointmentItem(TableItem):
    class Meta(TableMeta):
        pass

    referral_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    party_id = UnicodeAttribute()
    point_code = UnicodeAttribute()
    service = UnicodeAttribute()
    day = UnicodeAttribute()
    status = UnicodeAttribute()
    booked_by = UnicodeAttribute()
    booked_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()


class DayCountItem(TableItem):
    class Meta(TableMeta):
        pass

    point_code = UnicodeAttribute()
    day = UnicodeAttribute()
    booked = NumberAttribute(default=0)


def _case_key(case_id: str) -> str:
    return f"REFERRAL#{case_id}"


def _queue_key(point_code: str, day: date) -> str:
    return f"SPQUEUE#{point_code}#{day.isoformat()}"


def _count_key(point_code: str) -> str:
    return f"SPDAY#{point_code}"


def _appointment(item: AppointmentItem) -> Appointment:
    return Appointment(
        referral_id=item.referral_id, case_id=item.case_id, party_id=item.party_id, point_code=item.point_code,
        service=Service(item.service), day=date.fromisoformat(item.day), status=item.status, booked_by=item.booked_by,
        booked_at=item.booked_at,
    )


def for_case(case_id: str) -> list[Appointment]:
    """A case's appointments, in the order they were booked (one strongly consistent Query)."""
    items = AppointmentItem.query(_case_key(case_id), consistent_read=True)
    return sorted((_appointment(item) for item in items), key=lambda a: (a.booked_at, a.referral_id))


def booked_days(point_code: str, first: date, last: date) -> dict[date, int]:
    """What is booked at a point on each day from `first` to `last` that has a count (one Query)."""
    counts = DayCountItem.query(_count_key(point_code), DayCountItem.sk.between(first.isoformat(), last.isoformat()),
                                consistent_read=True)
    return {date.fromisoformat(count.day): int(count.booked) for count in counts}


def booking(appointment: Appointment, booked: Mapping[date, int]) -> tuple[list[Model], list[tuple[Model, Any]]]:
    """What a booking writes, for the case's `Change`: the appointment (new) and the day's count one
    higher, on condition that it still holds the value read in `booked` (or does not exist yet)."""
    item = AppointmentItem(
        pk=_case_key(appointment.case_id), sk=appointment.referral_id, referral_id=appointment.referral_id,
        case_id=appointment.case_id, party_id=appointment.party_id, point_code=appointment.point_code,
        service=appointment.service.value, day=appointment.day.isoformat(), status=appointment.status,
        booked_by=appointment.booked_by, booked_at=appointment.booked_at,
        gsi1pk=_queue_key(appointment.point_code, appointment.day), gsi1sk=f"{appointment.booked_at}#{appointment.referral_id}",
    )
    read = booked.get(appointment.day)
    count = DayCountItem(pk=_count_key(appointment.point_code), sk=appointment.day.isoformat(), point_code=appointment.point_code,
                         day=appointment.day.isoformat(), booked=(read or 0) + 1)
    if read is None:
        return [item, count], []  # a new item: written on condition it does not exist yet
    return [item], [(count, DayCountItem.booked == read)]


def queue(point_code: str, day: date, limit: int, next_token: str | None) -> tuple[list[Appointment], str | None]:
    """A point's appointments on a day, first booked first (a Query on gsi1), a page at a time."""
    page = index_reads.whole(AppointmentItem, AppointmentItem.gsi1, _queue_key(point_code, day), scan_index_forward=True,
                             limit=limit, last_evaluated_key=paging.decode(next_token))
    found = [_appointment(item) for item in page]
    return found, paging.encode(page.last_evaluated_key)
