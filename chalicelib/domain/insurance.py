"""Compulsory traffic insurance (交强险): limits, 互碰自赔, the claim lifecycle and the insurer's clock.

Every amount is integer fen (分). Every value that can change (limits, the 互碰自赔 ceiling, the
insurer's periods) comes from `chalicelib/config/insurance.json` via `config.load("insurance")`;
callers pass it in, and a calendar from `workdays.load_calendar`, so nothing here does I/O.

- Limits are per accident for each insured vehicle, whatever its share of fault: the "liable"
  column whenever the vehicle bears any liability, "notLiable" otherwise. The configuration holds
  every revision with the day it took effect (`effectiveFrom`); the one in force on the accident
  date applies, so the next revision is a configuration change.
- 互碰自赔: every party a motor vehicle with 交强险, every vehicle liable, each vehicle's loss at most
  the ceiling, no injury and no third-party property → each insurer pays its own insured's car.
- The insurer's clock (交强险条例 Art.28–29): list the documents needed within 1 day of the claim;
  decide within 5 days of receiving the documents; pay within 10 days of agreeing the amount.
  These periods are counted as the Civil Code counts periods in days (民法典 Art.201–203): natural
  days, the day the period starts not counted; when the last day is a statutory holiday or rest
  day, the period ends on the day after it, i.e. the next working day of the calendar (which knows
  the make-up working days, 调休上班).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.liability import Liability
from chalicelib.domain.workdays import Calendar, is_working_day
from chalicelib.errors import Conflict, ValidationFailed

# --- limits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The 交强险 limits for one insured vehicle in one accident, in fen."""

    death_disability: int
    medical: int
    property: int

    def as_dict(self) -> dict[str, int]:
        return {"deathDisability": self.death_disability, "medical": self.medical, "property": self.property}


def _liability(value: str, field: str) -> Liability:
    try:
        return Liability(value)
    except ValueError:
        raise ValidationFailed(f"unknown liability {value!r}; one of {', '.join(Liability)}", field=field) from None


def limits_in_force(config: dict[str, Any], on: date) -> dict[str, Any]:
    """The revision of the limits in force on `on` (the accident date): the latest `effectiveFrom` not after it.

    A date before every revision is a programming error (ValueError): no accident that old is handled.
    """
    revisions = sorted(config["compulsoryLimits"], key=lambda r: r["effectiveFrom"])
    in_force = [r for r in revisions if date.fromisoformat(r["effectiveFrom"]) <= on]
    if not in_force:
        raise ValueError(f"no 交强险 limits in force on {on.isoformat()}")
    return in_force[-1]


def compulsory_limits(liability: str, config: dict[str, Any], on: date) -> Limits:
    """The limits for a vehicle bearing `liability` in an accident on `on`: "liable" for
    FULL/PRIMARY/EQUAL/SECONDARY, "notLiable" for NONE.

    `config` is `config.load("insurance")`. An unknown liability raises ValidationFailed on field "liability".
    """
    column = "notLiable" if _liability(liability, "liability") is Liability.NONE else "liable"
    entry = limits_in_force(config, on)[column]
    return Limits(death_disability=int(entry["deathDisability"]), medical=int(entry["medical"]), property=int(entry["property"]))


# --- 互碰自赔 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccidentParty:
    """What 互碰自赔 needs to know of a party: a motor vehicle, and insured under 交强险 (insurer and policy)."""

    party_id: str
    motor: bool
    insured: bool


def mutual_self_pay(
    liabilities: dict[str, str],
    losses: dict[str, int | None],
    parties: Sequence[AccidentParty],
    injuries: bool,
    third_party_property: bool,
    config: dict[str, Any],
) -> bool:
    """Whether the accident qualifies for 互碰自赔 (each insurer pays its own insured's car).

    True only when every party of the accident is a motor vehicle insured under 交强险, there are at
    least two (distinct) of them, each bears some liability (not NONE), each declared loss (fen) is
    known and at most `mutualSelfPay.maxLossPerVehicle`, nobody is injured and no third-party
    property was damaged. A pedestrian or a non-motor party (an e-bike: its property is not a motor
    vehicle's) or an uninsured vehicle excludes it: nobody's insurer would pay that party's loss.

    An unknown liability value raises ValidationFailed on field "liabilities"; a negative loss on
    field "losses".
    """
    if not all(p.motor and p.insured for p in parties):
        return False
    vehicles = list(dict.fromkeys(p.party_id for p in parties))
    for party_id in vehicles:
        if party_id in liabilities:
            _liability(liabilities[party_id], "liabilities")
        loss = losses.get(party_id)
        if loss is not None and loss < 0:
            raise ValidationFailed(f"party {party_id!r}: a loss cannot be negative", field="losses")
    if len(vehicles) < 2 or injuries or third_party_property:
        return False
    ceiling = int(config["mutualSelfPay"]["maxLossPerVehicle"])
    for party_id in vehicles:
        liability = liabilities.get(party_id)
        if liability is None or Liability(liability) is Liability.NONE:
            return False
        loss = losses.get(party_id)
        if loss is None or loss > ceiling:
            return False
    return True


# --- claim lifecycle ---------------------------------------------------------------------------


class ClaimStatus(StrEnum):
    REPORTED = "REPORTED"
    ACCEPTED = "ACCEPTED"
    DOCUMENTS_REQUESTED = "DOCUMENTS_REQUESTED"
    ASSESSED = "ASSESSED"
    PAID = "PAID"
    REJECTED = "REJECTED"


EVENT_TYPES = ("claim.accepted", "claim.documents_requested", "claim.loss_assessed", "claim.paid", "claim.rejected")

_BEFORE_ASSESSMENT = frozenset({ClaimStatus.REPORTED, ClaimStatus.ACCEPTED, ClaimStatus.DOCUMENTS_REQUESTED})
_TRANSITIONS: dict[str, tuple[frozenset[ClaimStatus], ClaimStatus]] = {
    "claim.accepted": (frozenset({ClaimStatus.REPORTED}), ClaimStatus.ACCEPTED),
    "claim.documents_requested": (_BEFORE_ASSESSMENT, ClaimStatus.DOCUMENTS_REQUESTED),
    "claim.loss_assessed": (frozenset({ClaimStatus.ACCEPTED, ClaimStatus.DOCUMENTS_REQUESTED}), ClaimStatus.ASSESSED),
    "claim.paid": (frozenset({ClaimStatus.ASSESSED}), ClaimStatus.PAID),
    "claim.rejected": (_BEFORE_ASSESSMENT, ClaimStatus.REJECTED),
}


def next_status(current: str, event_type: str) -> ClaimStatus:
    """The claim's status after an insurer event.

    An unknown event type raises ValidationFailed on field "type"; an event the current status does
    not allow (including any event after PAID or REJECTED, or an unknown current status) raises
    Conflict on field "type" with `status=current`.
    """
    transition = _TRANSITIONS.get(event_type)
    if transition is None:
        raise ValidationFailed(f"unknown claim event type {event_type!r}; one of {', '.join(EVENT_TYPES)}", field="type")
    allowed_from, target = transition
    if current not in allowed_from:
        raise Conflict(f"{event_type} cannot follow {current}", field="type", status=current)
    return target


# --- insurer clock -----------------------------------------------------------------------------

LIST_DOCUMENTS = "LIST_DOCUMENTS"
DECIDE = "DECIDE"
PAY = "PAY"

_DUTIES: dict[str, tuple[str, str]] = {
    ClaimStatus.REPORTED: (LIST_DOCUMENTS, "listDocumentsDays"),
    ClaimStatus.ACCEPTED: (DECIDE, "decideDays"),
    ClaimStatus.DOCUMENTS_REQUESTED: (DECIDE, "decideDays"),
    ClaimStatus.ASSESSED: (PAY, "payDays"),
}
_DONE = frozenset({ClaimStatus.PAID, ClaimStatus.REJECTED})


@dataclass(frozen=True)
class ClockDue:
    due: date
    """The last day (Asia/Shanghai) on which the insurer may still act."""
    duty: str
    """LIST_DOCUMENTS, DECIDE or PAY."""


def _china_date(moment: datetime, name: str) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(CHINA).date()


def clock_due(status: str, since: datetime, calendar: Calendar, config: dict[str, Any]) -> ClockDue | None:
    """The insurer's next duty and its last day, or None once the claim is PAID or REJECTED.

    `since` (aware) is when the period started: the claim for REPORTED, the receipt of the documents
    for ACCEPTED / DOCUMENTS_REQUESTED, the agreement on the amount for ASSESSED. Its Asia/Shanghai
    date is not counted; the period runs in natural days and, if it ends on a day that is not a
    working day of `calendar`, moves to the next working day (民法典 Art.201–203).

    A naive `since`, an unknown status or a period shorter than a day in `config` is a programming
    error (ValueError). Where the calendar does not cover the year of the last day, only weekends are
    taken as days off.
    """
    if status in _DONE:
        return None
    duty = _DUTIES.get(status)
    if duty is None:
        raise ValueError(f"unknown claim status {status!r}")
    name, key = duty
    days = int(config["clock"][key])
    if days < 1:
        raise ValueError(f"insurance.json clock.{key} must be at least 1, got {days}")
    due = _china_date(since, "since") + timedelta(days=days)
    while not is_working_day(due, calendar):
        due += timedelta(days=1)
    return ClockDue(due=due, duty=name)


def overdue_from(due: ClockDue) -> date:
    """The first Asia/Shanghai day on which the duty is overdue: the clock runs out as its last day ends."""
    return due.due + timedelta(days=1)


def is_overdue(due: ClockDue, now: datetime) -> bool:
    """True once the Asia/Shanghai date of `now` (aware) is after the last day; the last day itself is in time."""
    return _china_date(now, "now") > due.due
