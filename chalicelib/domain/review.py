"""Review (复核, Order 146 Art.71-79): who may ask, until when, and the decision it leads to.

The request period is 3 working days from the day the letter was served on the asking party
(Art.71, counted like every period of the Order, ADR 0014); the supervisor's 30 days to decide
(Art.74) are calendar days (not on Art.112's list of working-day periods).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.decisions import Deadlines, Determination, Record
from chalicelib.errors import DeadlinePassed

DECIDE_WITHIN_DAYS = 30


class ReviewStatus(StrEnum):
    PENDING = "PENDING"
    UPHELD = "UPHELD"
    REDO = "REDO"


class Review(Record):
    """A party's request for review and, once decided, the supervisor's decision."""

    review_id: str
    requested_by: str
    reason: str
    requested_at: str
    request_deadline: str
    decide_by: str
    letter_document_id: str | None = None
    resume_status: str
    """The case status a pending review suspended; UPHELD returns the case to it."""
    status: ReviewStatus = ReviewStatus.PENDING
    outcome_reasoning: str | None = None
    decided_at: str | None = None
    decided_by: str | None = None
    decided_late: bool = False


def own_deadlines(determination: Determination, party_id: str) -> Deadlines:
    """The party's deadlines counted from its service, or the officer's day while none is recorded."""
    return determination.party_deadlines.get(party_id, determination.deadlines)


def ensure_in_time(today: date, deadlines: Deadlines) -> None:
    """Refuses a request made after the party's review period (3 working days from service)."""
    if today.isoformat() > deadlines.review_by:
        raise DeadlinePassed(
            f"the review period ended on {deadlines.review_by}: 3 working days from the letter's service on "
            f"{deadlines.served_on}, holidays and weekends not counted (Order 146 Art.71)",
            field="reason",
            deadline=deadlines.review_by,
            servedOn=deadlines.served_on,
            workingDays=3,
        )


def decide_by(requested_on: date) -> date:
    """The last day for the supervisor's decision: 30 days after the request (Art.74)."""
    return requested_on + timedelta(days=DECIDE_WITHIN_DAYS)
