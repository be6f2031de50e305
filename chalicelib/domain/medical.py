"""Injury direct pay (人伤直赔), the application side: the typed application record, its states,
the covered windows (configuration) and the rules a hospital's bill must meet.

Money is integer fen. A bill's service time counts from the admission (the scan of the QR code,
the first emergency visit): inside the direct-pay window the insurer pays the hospital; inside
the longer fund window the road rescue fund may still advance; later or earlier is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.decisions import Record
from chalicelib.errors import Conflict, ValidationFailed


class MedicalStatus(StrEnum):
    REQUESTED = "REQUESTED"  # waiting for an officer's approval
    APPROVED = "APPROVED"  # QR code issued, waiting for the hospital's scan
    REJECTED = "REJECTED"
    ADMITTED = "ADMITTED"  # scanned: the hospital treats
    BILLED = "BILLED"  # at least one bill posted
    LAPSED = "LAPSED"  # not approved, or the QR code not scanned, in time


# The workflow's waits, each answered by one API call (the names travel in the task input).
APPROVAL, ADMISSION, BILLS = "APPROVAL", "ADMISSION", "BILLS"
# The statuses in which a wait counts as already answered.
PASSED: Mapping[str, frozenset[MedicalStatus]] = {
    APPROVAL: frozenset({MedicalStatus.APPROVED, MedicalStatus.REJECTED, MedicalStatus.ADMITTED, MedicalStatus.BILLED}),
    ADMISSION: frozenset({MedicalStatus.ADMITTED, MedicalStatus.BILLED}),
    BILLS: frozenset({MedicalStatus.BILLED}),
}
AWAITED_IN: Mapping[str, MedicalStatus] = {APPROVAL: MedicalStatus.REQUESTED, ADMISSION: MedicalStatus.APPROVED,
                                           BILLS: MedicalStatus.ADMITTED}


@dataclass(frozen=True)
class Windows:
    """How long after the first visit care is covered, and how long a QR code stays valid."""

    direct_pay: timedelta
    fund: timedelta
    qr_validity: timedelta
    max_items: int
    max_item_fen: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Windows:
        windows = cls(timedelta(hours=config["directPayHours"]), timedelta(hours=config["fundHours"]),
                      timedelta(hours=config["qrValidityHours"]), int(config["maxBillItems"]), int(config["maxItemFen"]))
        if windows.fund < windows.direct_pay:
            raise ValueError("the fund window cannot be shorter than the direct-pay window")
        return windows


class Bill(Record):
    name: str
    amount: int  # fen
    service_date: datetime


class Waiting(Record):
    """The workflow step waiting for this application's next answer, and its task token."""

    milestone: str
    token: str
    since: str


class MedicalApplication(Record):
    application_id: str
    case_id: str
    injured_party_id: str
    hospital_code: str
    injury_description: str
    status: MedicalStatus
    status_since: str
    requested_at: str
    requested_by: str
    execution_name: str
    decided_by: str | None = None
    approved_at: str | None = None
    rejection_reason: str | None = None
    qr_token_id: str | None = None
    qr_token: str | None = None
    qr_expires_at: str | None = None
    notice_document_id: str | None = None
    admission_id: str | None = None
    admitted_at: datetime | None = None
    bills: list[Bill] = []  # noqa: RUF012 (pydantic copies field defaults)
    waiting: Waiting | None = None

    @property
    def billed_fen(self) -> int:
        return sum(bill.amount for bill in self.bills)


@dataclass(frozen=True)
class Coverage:
    """A person's bills split by window: what direct pay covers, and what the fund window covers."""

    direct_pay_fen: int
    fund_window_fen: int


def run_name(case_id: str, party_id: str) -> str:
    """One run per injured person of a case: a retried application can never start a second."""
    return f"medical-{case_id}-{party_id}"


def ensure_status(application: MedicalApplication, *expected: MedicalStatus, field: str = "applicationId") -> None:
    if application.status not in expected:
        wanted = " or ".join(expected)
        raise Conflict(f"the application is {application.status}; this needs {wanted}", field=field,
                       status=str(application.status))


def check_bills(items: Sequence[Bill], admitted_at: datetime, now: datetime, windows: Windows) -> None:
    """Every service time inside the fund window from admission (and not in the future); the
    amounts positive and plausible. The field named is the item's, e.g. `items[2].serviceDate`."""
    if not items:
        raise ValidationFailed("at least one bill item is required", field="items")
    if len(items) > windows.max_items:
        raise ValidationFailed(f"at most {windows.max_items} items per posting", field="items")
    for index, bill in enumerate(items):
        where = f"items[{index}]"
        if bill.amount <= 0:
            raise ValidationFailed("must be a positive whole number of fen", field=f"{where}.amount")
        if bill.amount > windows.max_item_fen:
            raise ValidationFailed(f"is over {windows.max_item_fen} fen for one item", field=f"{where}.amount")
        if bill.service_date < admitted_at:
            raise ValidationFailed("is before the admission on the QR code", field=f"{where}.serviceDate")
        if bill.service_date > now:
            raise ValidationFailed("is in the future", field=f"{where}.serviceDate")
        if bill.service_date > admitted_at + windows.fund:
            hours = int(windows.fund.total_seconds() // 3600)
            raise ValidationFailed(f"is outside the covered window ({hours} h from admission)", field=f"{where}.serviceDate")


def coverage(bills: Sequence[Bill], admitted_at: datetime, windows: Windows) -> Coverage:
    direct = sum(b.amount for b in bills if b.service_date <= admitted_at + windows.direct_pay)
    fund = sum(b.amount for b in bills if b.service_date <= admitted_at + windows.fund)
    return Coverage(direct_pay_fen=direct, fund_window_fen=fund)
