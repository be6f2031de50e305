"""The road rescue fund's queue and answers, and the insurers' medical events (direct pay)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.contracts.claims import Fen
from chalicelib.contracts.common import Contract, Reply

FUND_STATUSES = Literal["PENDING", "APPROVED", "REJECTED"]


class FundQuery(Contract):
    status: FUND_STATUSES = "PENDING"  # type: ignore[valid-type]
    escalated: bool = Field(default=False, description="true: applications escalated to a supervisor, oldest first")
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class EscalationQuery(Contract):
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class ApproveFund(Contract):
    amount: Fen | None = Field(default=None, ge=1, description="fen advanced; default: the amount applied for")


class RejectFund(Contract):
    reason: str = Field(min_length=1, max_length=500)


class FundApplicationView(Reply):
    fund_application_id: str
    case_id: str
    application_id: str
    hospital_code: str
    status: str
    status_since: str
    requested: Fen
    reasons: list[str]
    treatment_started_at: str
    notified_at: str | None = None
    notify_by: str
    answer_by: str
    remind_on: str
    reminded_at: str | None = None
    escalated_at: str | None = None
    notice_document_id: str | None = None
    advanced: Fen | None = None
    to_recover: dict[str, int] | None = None
    reject_reason: str | None = None
    decided_at: str | None = None


class FundApplicationList(Reply):
    applications: list[FundApplicationView]
    next_token: str | None


class MedicalEventData(Contract):
    """`data` of an insurer's medical event: the direct-pay application and an amount in fen."""

    model_config = Contract.model_config | {"extra": "ignore"}

    application_id: str = Field(min_length=4, max_length=40)
    amount: Fen = Field(ge=0)


class MedicalEvent(Contract):
    model_config = Contract.model_config | {"extra": "ignore"}

    type: Literal["medical.guaranteed", "medical.paid"]
    timestamp: str = Field(max_length=40)
    data: MedicalEventData


class FundStepInput(Contract):
    """What each step of the fund review run receives."""

    model_config = Contract.model_config | {"extra": "ignore"}

    fund_application_id: str = Field(min_length=3, max_length=40)
    case_id: str = Field(min_length=3, max_length=40)
    task_token: str | None = Field(default=None, max_length=2048)
    stage: Literal["REVIEW", "REMINDED", "ESCALATED"] | None = None
    execution_id: str | None = Field(default=None, max_length=300)
