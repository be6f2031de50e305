"""Injury direct pay on the wire: the application, the officer's decision, the hospital's scan and
bills, the ledger, and the workflow's task input. Money in integer fen, never a float or text."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, Strict

from chalicelib.contracts.common import AwareDatetime, Contract, Lines, Reply, Text
from chalicelib.contracts.rescue import StepError

# JSON integers only: 12.5, "1250" and true are refused (400 naming the field), not coerced.
Fen = Annotated[int, Strict()]


class ApplyMedical(Contract):
    injured_party_id: str = Field(min_length=2, max_length=40)
    hospital_code: str = Field(min_length=2, max_length=20)
    injury_description: Lines = Field(min_length=2, max_length=300)


class RejectMedical(Contract):
    reason: Text = Field(min_length=2, max_length=300)


class PresentedQr(Contract):
    token: str = Field(min_length=10, max_length=2048)


class BillLine(Contract):
    name: Text = Field(min_length=1, max_length=100)
    amount: Fen = Field(gt=0, description="fen (1/100 yuan), a positive JSON integer")
    service_date: AwareDatetime | None = Field(default=None, description="when the care was given; the posting time if absent")


class PostBills(Contract):
    items: list[BillLine] = Field(min_length=1, max_length=200)


class BillView(Reply):
    name: str
    amount: int
    service_date: str


class MedicalView(Reply):
    """One application and its ledger line (payer amounts 0 until the insurer and fund report)."""

    application_id: str
    case_id: str
    injured_party_id: str
    hospital_code: str
    status: str
    status_since: str
    requested_at: str
    approved_at: str | None = None
    rejection_reason: str | None = None
    qr_token: str | None = None
    qr_expires_at: str | None = None
    notice_document_id: str | None = None
    admission_id: str | None = None
    admitted_at: str | None = None
    bills: list[BillView] = []  # noqa: RUF012 (pydantic copies field defaults)
    billed: int = 0
    direct_pay_window: int = 0
    fund_window: int = 0
    guaranteed: int = 0
    paid: int = 0
    fund_advanced: int = 0
    outstanding: int = 0
    to_recover: int = 0


class LedgerTotals(Reply):
    billed: int
    guaranteed: int
    paid: int
    fund_advanced: int
    outstanding: int
    to_recover: int


class MedicalLedger(Reply):
    case_id: str
    applications: list[MedicalView]
    totals: LedgerTotals


class Admission(Reply):
    """Whom the hospital admitted: the name in full (the hospital treats her and checks her ID card,
    as the designated direct-pay partner), the case, the injury, who pays and until when."""

    admission_id: str
    application_id: str
    hospital_code: str
    case_id: str
    patient_name: str
    injury_description: str
    insurers: list[str] = Field(description="the 交强险 insurers that pay for this patient; empty: the rescue fund advances")
    admitted_at: str
    covered_until: str
    direct_pay_until: str


class AdmissionsQuery(Contract):
    limit: int = Field(default=20, ge=1, le=50)
    next_token: str | None = Field(default=None, max_length=2000)


class Admissions(Reply):
    items: list[Admission]
    next_token: str | None = None


class PartyFled(Reply):
    case_id: str
    party_id: str
    fled: bool


class StepInput(Contract):
    model_config = Contract.model_config | {"extra": "ignore"}

    application_id: str = Field(min_length=3, max_length=40)
    case_id: str = Field(min_length=3, max_length=40)
    milestone: Literal["APPROVAL", "ADMISSION", "BILLS"] | None = None
    task_token: str | None = Field(default=None, max_length=2048)
    error: StepError | None = None
    execution_id: str | None = Field(default=None, max_length=300)
    config: dict[str, Any] | None = None
