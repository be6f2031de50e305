"""What the payers owe and did per direct-pay application: the only place that knows these items.

Everything the payers record for a case sits on one partition of its own, `MEDPAY#<caseId>`
(read whole by one consistent Query, written only inside the case's transaction, so it never
grows the case aggregate's read): per application and paying vehicle, what its insurer was asked
for and what it guaranteed and paid (sk `DUE#<applicationId>#<vehicleId>`), and the rescue fund's
applications (sk `FUND#<id>`, `store.fund`). A pointer (`MEDAPPPAY#<applicationId>`) lets an
insurer's webhook, which names only the application, find its case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store import fund
from chalicelib.store.fund import FundApplicationItem, payer_key
from chalicelib.store.models import _CasePointer
from chalicelib.store.table import TableItem, TableMeta

_DUE = "DUE#"


class MedicalDueItem(TableItem):
    """One vehicle's insurer and one application: asked (`due`), guaranteed and paid, in fen."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    application_id = UnicodeAttribute()
    person_id = UnicodeAttribute()
    vehicle_id = UnicodeAttribute()
    insurer_code = UnicodeAttribute()
    liability = UnicodeAttribute()
    due = NumberAttribute()
    guaranteed = NumberAttribute(default=0)
    paid = NumberAttribute(default=0)
    requested_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    revision = NumberAttribute(default=1)


class PaymentPointer(_CasePointer):
    """`MEDAPPPAY#<applicationId>` → its case: an insurer's medical webhook names only the application."""

    KIND = "MEDAPPPAY"


@dataclass
class Payers:
    """The payer items of one case, as read."""

    dues: list[MedicalDueItem] = field(default_factory=list)
    funds: list[FundApplicationItem] = field(default_factory=list)

    def due(self, application_id: str, vehicle_id: str) -> MedicalDueItem | None:
        return next((d for d in self.dues if d.application_id == application_id and d.vehicle_id == vehicle_id), None)

    def fund_for(self, application_id: str) -> FundApplicationItem | None:
        return next((f for f in self.funds if f.application_id == application_id), None)

    def fund(self, fund_application_id: str) -> FundApplicationItem | None:
        return next((f for f in self.funds if f.fund_application_id == fund_application_id), None)


def of_case(case_id: str) -> Payers:
    """Every payer item of the case: one consistent Query (as many pages as it takes)."""
    found = Payers()
    connection = TableItem._get_connection().connection
    last_key = None
    while True:
        page = connection.query(TableItem.Meta.table_name, payer_key(case_id), consistent_read=True, exclusive_start_key=last_key)
        for raw in page.get("Items", []):
            sort_key = raw["sk"]["S"]
            if sort_key.startswith(_DUE):
                found.dues.append(MedicalDueItem.from_raw_data(raw))
            elif sort_key.startswith(fund.SORT_PREFIX):
                found.funds.append(FundApplicationItem.from_raw_data(raw))
        last_key = page.get("LastEvaluatedKey")
        if not last_key:
            break
    found.dues.sort(key=lambda d: (d.application_id, d.vehicle_id))
    found.funds.sort(key=lambda f: f.opened_at)
    return found


def new_due(case_id: str, application_id: str, vehicle_id: str, at: str, **attributes: Any) -> MedicalDueItem:
    return MedicalDueItem(pk=payer_key(case_id), sk=f"{_DUE}{application_id}#{vehicle_id}", case_id=case_id,
                          application_id=application_id, vehicle_id=vehicle_id, requested_at=at, updated_at=at, **attributes)


def pointer(application_id: str, case_id: str) -> PaymentPointer:
    return PaymentPointer.to(application_id, case_id)


def case_of(application_id: str) -> str | None:
    found = PaymentPointer.lookup(application_id)
    return found.case_id if found is not None else None


def changed(item: MedicalDueItem | FundApplicationItem, at: str | None = None) -> Any:
    """Mark the item changed; returns the write's condition (nobody changed it since it was read)."""
    read = int(item.revision)
    item.revision = read + 1
    if at is not None and isinstance(item, MedicalDueItem):
        item.updated_at = at
    return type(item).revision == read
