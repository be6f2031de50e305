"""Which report figures a case change moves (issue 15): pure, so the live writer and the rebuild agree.

A change is read as its audit entry (action, detail, time) plus a few facts of its case; the same
function turns a live change into counter increments and duration items, and turns a case's stored
audit log back into the same moves when the figures are rebuilt. The day is the Beijing calendar day
of the event (not of the report), the unit the case's jurisdiction.

What means what (decided here once):
- casesReported: every report; casesRemote when eligibility said remote (`CASE_REPORTED`),
  casesOnScene when it said no (`REFERRED_ON_SCENE`).
- minutesEvidence: report → `EVIDENCE_COMPLETE` (the checklist complete).
- lettersIssued and minutesToLetter: the case's first liability letter (`DOCUMENT_ISSUED`, revision 1);
  a corrected or redone letter is the same case's letter again, not another one.
- agreementsSigned: `SETTLED` (every party signed the self-settlement agreement).
- disputed: `DISPUTED` (a party refused to sign the letter); a later review request on an already
  disputed case would count it twice, so review requests are not counted here.
- claimsReported: each claim of `CLAIMS_REPORTED`; claimsPaid: `CLAIM_PAID`.
- claimsOverdue: `CLAIM_OVERDUE`, recorded once per claim and duty when the insurer's statutory clock
  runs out unanswered (the claims-clock sweep, or the insurer's late act if it comes first); it
  counts on `overdueOn`, the first Beijing day the duty is overdue, whenever it was recorded. The
  late act itself (`overdue` in a `CLAIM_*` detail) is not counted again.
- rescueOrders `RESCUE_REQUESTED`; minutesToAccept request → `RESCUE_ASSIGNED`; minutesToArrive
  request → `RESCUE_ARRIVED` (what the party waits); rescueEscalated `RESCUE_ESCALATED`.
- directPayPatients: `MEDICAL_ADMITTED` (the QR code redeemed at a hospital).
- insurerPaidFen: `CLAIM_PAID` amounts and direct-pay `MEDICAL_PAID` amounts; fundAdvancedFen:
  `FUND_ADVANCED` amounts.
- mediationsRequested `MEDIATION_REQUESTED` (every party asked), mediationsAgreed `MEDIATED`,
  mediationsTerminated `MEDIATION_TERMINATED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chalicelib.domain.beijing_time import local
from chalicelib.domain.report_figures import COUNTED, TIMED, minutes_between

LETTER_KIND = "LIABILITY_LETTER"

# Actions that add one to a figure, whatever their detail says.
_ONE: dict[str, tuple[str, ...]] = {
    "CASE_REPORTED": ("casesReported", "casesRemote"),
    "REFERRED_ON_SCENE": ("casesReported", "casesOnScene"),
    "SETTLED": ("agreementsSigned",),
    "DISPUTED": ("disputed",),
    "CLAIM_PAID": ("claimsPaid",),
    "RESCUE_REQUESTED": ("rescueOrders",),
    "RESCUE_ESCALATED": ("rescueEscalated",),
    "MEDICAL_ADMITTED": ("directPayPatients",),
    "MEDIATION_REQUESTED": ("mediationsRequested",),
    "MEDIATED": ("mediationsAgreed",),
    "MEDIATION_TERMINATED": ("mediationsTerminated",),
}
# Actions whose detail carries money (integer fen): action → (detail field, figure).
_MONEY: dict[str, tuple[str, str]] = {
    "CLAIM_PAID": ("amount", "insurerPaidFen"),
    "MEDICAL_PAID": ("amount", "insurerPaidFen"),
    "FUND_ADVANCED": ("advanced", "fundAdvancedFen"),
}
# Rescue milestones timed from the order's request: action → figure.
_RESCUE_TIMED = {"RESCUE_ASSIGNED": "minutesToAccept", "RESCUE_ARRIVED": "minutesToArrive"}


@dataclass(frozen=True)
class CaseFacts:
    """What of the case the moves need besides the change itself."""

    case_id: str
    unit: str
    reported_at: str
    rescue_requested_at: Mapping[str, str] = field(default_factory=dict)  # order id → requested at


@dataclass(frozen=True)
class Event:
    """A change as its audit entry records it."""

    action: str
    detail: Mapping[str, Any]
    at: str


@dataclass(frozen=True)
class Duration:
    figure: str
    case_id: str
    order_id: str | None
    minutes: float


@dataclass(frozen=True)
class Moves:
    """What one change adds to one unit's day."""

    unit: str
    day: date
    counts: dict[str, int]
    durations: list[Duration]


def day_of(at: str) -> date:
    """The Beijing calendar day of a stored time."""
    return local(at).date()


def moves(event: Event, facts: CaseFacts) -> Moves | None:
    """The figures the change moves, or None when it moves none."""
    counts = dict.fromkeys(_ONE.get(event.action, ()), 1)
    if event.action in _MONEY:
        name, figure = _MONEY[event.action]
        amount = int(event.detail.get(name) or 0)
        if amount:
            counts[figure] = counts.get(figure, 0) + amount
    if event.action == "CLAIMS_REPORTED" and event.detail.get("claims"):
        counts["claimsReported"] = len(event.detail["claims"])
    day = day_of(event.at)
    if event.action == "CLAIM_OVERDUE":
        counts["claimsOverdue"] = 1
        day = date.fromisoformat(str(event.detail["overdueOn"]))  # the clock's day, not the sweep's
    durations = _durations(event, facts)
    if event.action == "DOCUMENT_ISSUED" and _first_letter(event.detail):
        counts["lettersIssued"] = 1
    if not counts and not durations:
        return None
    assert set(counts) <= set(COUNTED) and {d.figure for d in durations} <= set(TIMED)
    return Moves(unit=facts.unit, day=day, counts=counts, durations=durations)


def _first_letter(detail: Mapping[str, Any]) -> bool:
    return detail.get("kind") == LETTER_KIND and int(detail.get("revision") or 0) == 1


def _durations(event: Event, facts: CaseFacts) -> list[Duration]:
    if event.action == "EVIDENCE_COMPLETE":
        return [Duration("minutesEvidence", facts.case_id, None, minutes_between(facts.reported_at, event.at))]
    if event.action == "DOCUMENT_ISSUED" and _first_letter(event.detail):
        return [Duration("minutesToLetter", facts.case_id, None, minutes_between(facts.reported_at, event.at))]
    if event.action in _RESCUE_TIMED:
        order_id = str(event.detail.get("orderId") or "")
        requested_at = facts.rescue_requested_at.get(order_id)
        if requested_at is None:
            return []  # an order the case does not hold: nothing to time it from
        return [Duration(_RESCUE_TIMED[event.action], facts.case_id, order_id, minutes_between(requested_at, event.at))]
    return []
