"""Claims, insurer webhooks, deliveries and the insurer's view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, Strict

from chalicelib.contracts.common import Contract, Reply
from chalicelib.contracts.rescue import RescueView

# Whole fen as a JSON integer: true, "100" or 100.0 is refused, never read as an amount.
Fen = Annotated[int, Strict()]


def _zoned(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError("must be an ISO 8601 timestamp") from error
    if moment.tzinfo is None:
        raise ValueError("must carry its time zone (e.g. +08:00 or Z)")
    return moment.isoformat()


# A moment with its time zone, kept as ISO text (the stored claims hold text).
ZonedTimestamp = Annotated[str, Field(max_length=40), AfterValidator(_zoned)]


class ReportClaims(Contract):
    declared_losses: dict[str, Fen] | None = Field(
        default=None, description="each vehicle party's estimated own loss in fen (分), for 互碰自赔"
    )

    def losses(self) -> dict[str, int]:
        for party_id, amount in (self.declared_losses or {}).items():
            if amount < 0:
                raise ValueError(f"declaredLosses.{party_id} must not be negative")
        return dict(self.declared_losses or {})


class LimitsView(Reply):
    death_disability: Fen
    medical: Fen
    property: Fen


class ClockView(Reply):
    duty: str
    due: str
    overdue: bool
    provisional: bool = Field(default=False, description="counted through a year whose holidays are not loaded yet (暂定)")


class ClaimView(Reply):
    claim_id: str
    insurer_code: str
    party_id: str
    policy_no: str
    status: str
    status_since: str
    reported_at: str
    liability: str
    limits: LimitsView
    mutual_self_pay: bool
    declared_loss: Fen | None = None
    assessed_amount: Fen | None = None
    assessed_items: list[dict[str, Any]] | None = None
    paid_amount: Fen | None = None
    paid_at: str | None = None
    documents_requested: list[str] | None = None
    rejection_reason: str | None = None
    clock: ClockView | None = None


class ClaimList(Reply):
    case_id: str
    claims: list[ClaimView]


class AssessedItem(Contract):
    name: str = Field(min_length=1, max_length=100)
    amount: Fen = Field(ge=0)


class InsurerEventData(Contract):
    """`data` of an insurer's webhook; which fields are required depends on the type."""

    model_config = Contract.model_config | {"extra": "ignore"}

    claim_id: str = Field(min_length=4, max_length=40)
    documents: list[str] | None = Field(default=None, max_length=50)
    amount: Fen | None = Field(default=None, ge=0)
    items: list[AssessedItem] | None = Field(default=None, max_length=200)
    paid_at: ZonedTimestamp | None = None
    reason: str | None = Field(default=None, max_length=500)


class InsurerEvent(Contract):
    model_config = Contract.model_config | {"extra": "ignore"}

    type: Literal["claim.accepted", "claim.documents_requested", "claim.loss_assessed", "claim.paid", "claim.rejected"]
    timestamp: str = Field(max_length=40)
    data: InsurerEventData


class WebhookAck(Reply):
    received: bool
    duplicate: bool
    claim_id: str | None = None
    status: str | None = None
    application_id: str | None = None


class DeliveryView(Reply):
    outbox_id: str
    webhook_id: str
    insurer_code: str
    topic: str
    case_id: str
    attempt: int
    at: str
    outcome: str
    status_code: int | None = None
    error: str | None = None
    ms: float | None = None


class DeliveryLog(Reply):
    insurer_code: str
    deliveries: list[DeliveryView]
    next_token: str | None = None


class DeliveryQuery(Contract):
    insurer_code: str | None = Field(default=None, max_length=16)
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class OverdueQuery(Contract):
    overdue: bool = True
    limit: int = Field(default=50, ge=1, le=200)


class OverdueClaim(Reply):
    case_id: str
    claim_id: str
    insurer_code: str
    status: str
    duty: str
    due: str


class OverdueClaims(Reply):
    jurisdiction: str
    claims: list[OverdueClaim]


class RotatedSecret(Reply):
    insurer_code: str
    secret: str
    previous_valid_until: str | None = None


class InsurerCaseView(Reply):
    case_id: str
    status: str
    occurred_at: str
    location: dict[str, Any]
    weather: str
    liabilities: dict[str, str] = Field(default_factory=dict)
    parties: list[dict[str, Any]]
    claims: list[ClaimView]
    documents: list[dict[str, Any]] = Field(default_factory=list)
    rescues: list[RescueView] = Field(default_factory=list, description="rescue orders for this insurer's own customers")
