"""Injury direct-pay applications: the only place that knows their keys and items.

An application lives on its case's partition (sk `MEDICAL#<applicationId>`), so the case
aggregate read includes it and every change goes through the case's versioned transaction; a
pointer (`MEDICAL#<applicationId>`) lets an officer's call, which names only the application,
find the case. The hospital's scan writes an admission pointer (`ADMISSION#<admissionId>`, the
case, the application and the admitting hospital) and the QR token's redemption
(`QRREDEEMED#<tokenId>`), both new items of the scan's transaction: a second scan of the same
token fails that write's condition whatever else happened meanwhile.

The admission pointer is also on gsi1 (`HOSPADM#<hospital>`, `<admittedAt>#<admissionId>`): a
hospital's admissions, newest first, the ones still open for bills being those admitted after a
time (one Query, then the pointers read whole: the index projects none of their attributes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.medical import MedicalApplication
from chalicelib.store import index_reads, paging
from chalicelib.store.case_items import case_key
from chalicelib.store.models import TableItem, TableMeta
from chalicelib.store.models import _CasePointer as CasePointer
from chalicelib.store.table import Gsi1
from chalicelib.store.typed_attributes import TypedMapAttribute

SORT_PREFIX = "MEDICAL"


class MedicalApplicationItem(TableItem):
    """The application as one typed map; its status beside it is what a change is conditional on."""

    class Meta(TableMeta):
        pass

    application_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    status = UnicodeAttribute()
    application: TypedMapAttribute[MedicalApplication] = TypedMapAttribute(MedicalApplication)


class MedicalPointer(CasePointer):
    """`MEDICAL#<applicationId>` → its case."""

    KIND = "MEDICAL"


class AdmissionPointer(CasePointer):
    """`ADMISSION#<admissionId>` → its case, application and the hospital that admitted."""

    KIND = "ADMISSION"

    application_id = UnicodeAttribute()
    hospital_code = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # `HOSPADM#<hospital>`; absent on admissions written before it
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()


class QrRedemption(CasePointer):
    """`QRREDEEMED#<tokenId>`: the token was scanned once; it can never be written again."""

    KIND: ClassVar[str] = "QRREDEEMED"

    application_id = UnicodeAttribute()
    hospital_code = UnicodeAttribute()
    redeemed_at = UnicodeAttribute()


def application_item(application: MedicalApplication) -> MedicalApplicationItem:
    return MedicalApplicationItem(
        pk=case_key(application.case_id), sk=f"{SORT_PREFIX}#{application.application_id}",
        application_id=application.application_id, case_id=application.case_id, status=str(application.status),
        application=application,
    )


def application_of(item: MedicalApplicationItem) -> MedicalApplication:
    return item.application


def pointer(application: MedicalApplication) -> MedicalPointer:
    return MedicalPointer.to(application.application_id, application.case_id)


def case_of(application_id: str) -> str | None:
    found = MedicalPointer.lookup(application_id)
    return found.case_id if found is not None else None


def admission(application: MedicalApplication, hospital_code: str) -> AdmissionPointer:
    """The pointer a new admission writes (the application must carry its admission id)."""
    assert application.admitted_at is not None
    return AdmissionPointer.to(str(application.admission_id), application.case_id,
                               application_id=application.application_id, hospital_code=hospital_code,
                               gsi1pk=_hospital_key(hospital_code),
                               gsi1sk=f"{_utc_text(application.admitted_at)}#{application.admission_id}")


def _hospital_key(hospital_code: str) -> str:
    return f"HOSPADM#{hospital_code}"


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")  # sorts as text


def admissions_since(hospital_code: str, since: datetime, limit: int,
                     next_token: str | None) -> tuple[list[AdmissionPointer], str | None]:
    """The hospital's admissions after `since`, newest first (a Query on gsi1), a page at a time."""
    page = index_reads.whole(AdmissionPointer, AdmissionPointer.gsi1, _hospital_key(hospital_code),
                             AdmissionPointer.gsi1sk > _utc_text(since), scan_index_forward=False,
                             limit=limit, last_evaluated_key=paging.decode(next_token))
    return page.items, paging.encode(page.last_evaluated_key)


def admitted(admission_id: str) -> AdmissionPointer | None:
    return AdmissionPointer.lookup(admission_id)


def redemption(token_id: str, application: MedicalApplication, hospital_code: str, at: str) -> QrRedemption:
    return QrRedemption.to(token_id, application.case_id, application_id=application.application_id,
                           hospital_code=hospital_code, redeemed_at=at)


def redeemed(token_id: str) -> QrRedemption | None:
    return QrRedemption.lookup(token_id)
