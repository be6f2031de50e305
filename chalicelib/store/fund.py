"""Road rescue fund applications: the only place that knows their keys and items.

An application lives on its case's payer partition (`MEDPAY#<caseId>`, sk `FUND#<id>`, see
`store.medical_payers`), written only inside the case's transaction; a pointer (`FUNDAPP#<id>`)
lets a reviewer's call, which names only the application, find the case. The fund's review
queue is gsi1 `FUNDQ#<unit>#<status>` (oldest first); an application escalated to a supervisor
is also listed in gsi2 `FUNDESC#<unit>` until it is answered.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store import index_reads, paging
from chalicelib.store.models import _CasePointer
from chalicelib.store.table import Gsi1, Gsi2, TableItem, TableMeta


def payer_key(case_id: str) -> str:
    return f"MEDPAY#{case_id}"


class FundApplicationItem(TableItem):
    """One injured person's application to the road rescue fund (money in fen)."""

    class Meta(TableMeta):
        pass

    fund_application_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    application_id = UnicodeAttribute()  # the person's direct-pay application
    person_id = UnicodeAttribute()
    hospital_code = UnicodeAttribute()
    jurisdiction = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute()
    requested = NumberAttribute()
    reasons = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
    recover = MapAttribute(default=dict)  # type: ignore[var-annotated]  # vehicle id → fen, by liability share
    treatment_started_at = UnicodeAttribute()
    opened_at = UnicodeAttribute()
    notify_by = UnicodeAttribute()
    notified_at = UnicodeAttribute(null=True)
    answer_by = UnicodeAttribute()
    remind_on = UnicodeAttribute()
    notice_document_id = UnicodeAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    escalated_at = UnicodeAttribute(null=True)
    advanced = NumberAttribute(null=True)
    to_recover = MapAttribute(null=True)  # type: ignore[var-annotated]  # vehicle id → fen of the advance
    reject_reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    revision = NumberAttribute(default=1)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class FundPointer(_CasePointer):
    """`FUNDAPP#<id>` → its case: the fund's reviewer names only the application."""

    KIND = "FUNDAPP"


SORT_PREFIX = "FUND#"


def new_application(case_id: str, fund_application_id: str, status: str, at: str,
                    **attributes: Any) -> tuple[FundApplicationItem, FundPointer]:
    item = FundApplicationItem(pk=payer_key(case_id), sk=f"{SORT_PREFIX}{fund_application_id}",
                               fund_application_id=fund_application_id, case_id=case_id, opened_at=at, **attributes)
    set_status(item, status, at)
    return item, FundPointer.to(fund_application_id, case_id)


def set_status(item: FundApplicationItem, status: str, at: str) -> None:
    """The status, and the application's place in its unit's queue for it; an answer ends an escalation."""
    item.status = status
    item.status_since = at
    item.gsi1pk = f"FUNDQ#{item.jurisdiction}#{status}"
    item.gsi1sk = f"{at}#{item.fund_application_id}"
    if status != "PENDING":
        item.gsi2pk = item.gsi2sk = None


def flag_escalated(item: FundApplicationItem, at: str) -> None:
    item.escalated_at = at
    item.gsi2pk = f"FUNDESC#{item.jurisdiction}"
    item.gsi2sk = f"{at}#{item.fund_application_id}"


def case_of(fund_application_id: str) -> str | None:
    pointer = FundPointer.lookup(fund_application_id)
    return pointer.case_id if pointer is not None else None


def queue(unit: str, status: str, limit: int, next_token: str | None) -> Any:
    """The unit's applications in a status, oldest first, a page at a time."""
    return index_reads.whole(FundApplicationItem, FundApplicationItem.gsi1, f"FUNDQ#{unit}#{status}", scan_index_forward=True,
                             limit=limit, last_evaluated_key=paging.decode(next_token))


def escalated(unit: str, limit: int, next_token: str | None) -> Any:
    return index_reads.whole(FundApplicationItem, FundApplicationItem.gsi2, f"FUNDESC#{unit}", scan_index_forward=True,
                             limit=limit, last_evaluated_key=paging.decode(next_token))
