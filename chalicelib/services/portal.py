"""The officer's queue: cases awaiting determination in the officer's unit, oldest first."""

from __future__ import annotations

from datetime import datetime

from chalicelib.contracts.portal import Queue, QueueEntry
from chalicelib.domain import case_status
from chalicelib.domain.principals import Principal
from chalicelib.errors import Forbidden
from chalicelib.store import case_items, paging
from chalicelib.store import cases as store


def queue(principal: Principal, limit: int, next_token: str | None) -> Queue:
    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    results = case_items.queue(principal.jurisdiction, case_status.AWAITING_DETERMINATION, limit, next_token)
    now = store.utcnow()
    cases = []
    for case in results:
        since = datetime.fromisoformat(case.status_since)
        cases.append(
            QueueEntry(
                case_id=case.case_id,
                occurred_at=case.occurred_at,
                waiting_since=case.status_since,
                minutes_waited=max(0, int((now - since).total_seconds() // 60)),
                address=case.location.as_dict().get("address", ""),
                channel=case.channel,
                injuries=case.injuries,
                party_count=int(case.party_count),
            )
        )
    return Queue(jurisdiction=principal.jurisdiction, cases=cases, next_token=paging.encode(results.last_evaluated_key))

