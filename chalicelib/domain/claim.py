"""A claim to one vehicle's insurer, as the case knows it (money in fen)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib.domain.decisions import Record


class ClaimLimits(Record):
    """The 交强险 limits for the insured vehicle in this accident."""

    death_disability: int
    medical: int
    property: int


class ClaimClock(Record):
    """The insurer's next statutory duty on the claim and the day it falls due."""

    duty: str
    due: str
    provisional: bool = False
    """Counted through a year whose holidays are not loaded yet: the day may move (暂定)."""
    overdue_recorded: bool = False
    """This duty ran out unanswered and `CLAIM_OVERDUE` recorded it (once per claim and duty, issue 15)."""


class Claim(Record):
    claim_id: str
    case_id: str
    insurer_code: str
    party_id: str
    policy_no: str
    status: str
    status_since: str
    reported_at: str
    liability: str
    limits: ClaimLimits
    mutual_self_pay: bool = False
    declared_loss: int | None = None
    assessed_amount: int | None = None
    assessed_items: list[dict[str, Any]] | None = None
    paid_amount: int | None = None
    paid_at: str | None = None
    documents_requested: list[str] | None = Field(default=None)
    rejection_reason: str | None = None
    clock: ClaimClock | None = None
