"""Claims whose insurer let a statutory duty run out unanswered (issue 15, `claimsOverdue`).

The clock runs out as the duty's last day ends: the claim is overdue from the next Beijing day on
(`insurance.is_overdue`). A scheduled sweep reads each configured unit's insurer-clock index (gsi2,
one Query over the last days, no Scan) and records `CLAIM_OVERDUE` on each such case through
`store.cases.mutate`, marking the claim's clock in the same transaction (conditioned on the claim and
the case version), so a duty is recorded once however often the sweep runs. An insurer's late act
that comes before the sweep records it itself (`insurer_webhooks`), and the sweep then finds the
duty done. The entry names `overdueOn`, the day the figure counts on, whenever it was recorded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib import config
from chalicelib.domain import insurance
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.claim import Claim
from chalicelib.domain.principals import Principal, Role
from chalicelib.store import case_items
from chalicelib.store import cases as store

CLAIMS_CLOCK = Principal(subject="claims-clock", role=Role.SYSTEM)
# The sweep runs hourly; a duty that ran out longer ago than this while every run failed is not
# recorded any more (the sweep's failure alarm fires long before).
LOOK_BACK_DAYS = 14


def _due(claim: Claim) -> insurance.ClockDue | None:
    if claim.clock is None:
        return None
    return insurance.ClockDue(due=date.fromisoformat(claim.clock.due[:10]), duty=claim.clock.duty)


def is_late(claim: Claim, now: datetime) -> bool:
    """The claim's current duty fell due before `now` (Beijing days)."""
    due = _due(claim)
    return due is not None and insurance.is_overdue(due, now)


def ran_out(claim: Claim, now: datetime) -> store.Change | None:
    """The entry recording that the claim's current duty ran out unanswered, and the clock marked so;
    None while the duty is in time or once it was recorded. The caller writes the claim."""
    due = _due(claim)
    if due is None or claim.clock is None or claim.clock.overdue_recorded or not insurance.is_overdue(due, now):
        return None
    claim.clock.overdue_recorded = True
    detail = {"claimId": claim.claim_id, "insurerCode": claim.insurer_code, "duty": due.duty,
              "due": due.due.isoformat(), "overdueOn": insurance.overdue_from(due).isoformat()}
    return store.Change(action="CLAIM_OVERDUE", detail=detail)


def record_overdue(unit: str) -> list[str]:
    """Record every claim of the unit whose duty ran out unanswered; returns their ids. Safe to run again."""
    today = store.utcnow().astimezone(CHINA).date()
    recorded = []
    for claim in case_items.claims_falling_due(unit, today - timedelta(days=LOOK_BACK_DAYS), today):
        if claim.clock is not None and claim.clock.overdue_recorded:
            continue

        def decide(record: store.CaseRecord, claim_id: str = claim.claim_id) -> list[store.Change]:
            fresh = record.claim(claim_id)
            if fresh is None:
                return []
            before = fresh.status
            change = ran_out(fresh, store.utcnow())
            if change is None:
                return []
            change.replaces.append((fresh, before))  # the claim moved meanwhile: decided again
            change.result = claim_id
            return [change]

        if store.mutate(CLAIMS_CLOCK, claim.case_id, decide).result is not None:
            recorded.append(claim.claim_id)
    return recorded


def record_overdue_everywhere() -> int:
    """`record_overdue` for every configured unit (configuration, not a Scan); how many were recorded."""
    return sum(len(record_overdue(unit["code"])) for unit in config.load("jurisdictions")["units"])
