"""The outbox: messages written in the same transaction as the change that causes them.

Pending messages sit in a sparse index spread over a few shards (`OUTBOX#PENDING#<n>`), so the
deliverer finds them with Queries, and no single partition takes every write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from chalicelib.domain.ids import new_outbox_id
from chalicelib.store.models import OutboxItem

SHARDS = 8
PENDING = "PENDING"


def _shard(outbox_id: str) -> int:
    return int(hashlib.sha256(outbox_id.encode()).hexdigest(), 16) % SHARDS


def _message(channel: str, case_id: str, recipient: str, topic: str, payload: dict, at: str) -> OutboxItem:
    outbox_id = new_outbox_id()
    return OutboxItem(
        pk=f"OUTBOX#{outbox_id}",
        sk="#OUTBOX",
        outbox_id=outbox_id,
        channel=channel,
        topic=topic,
        case_id=case_id,
        recipient=recipient,
        payload=payload,
        status=PENDING,
        created_at=at,
        gsi1pk=f"OUTBOX#{PENDING}#{_shard(outbox_id)}",
        gsi1sk=f"{at}#{outbox_id}",
    )


def notice(case_id: str, party_id: str, topic: str, text: str, at: str) -> OutboxItem:
    """A notice to one party, delivered later (WeChat if linked, else SMS); holds no phone number."""
    return _message("NOTICE", case_id, party_id, topic, {"text": text}, at)


def pending() -> Iterator[OutboxItem]:
    """Every message not yet delivered, oldest first within each shard."""
    for shard in range(SHARDS):
        yield from OutboxItem.gsi1.query(f"OUTBOX#{PENDING}#{shard}", scan_index_forward=True)



def event(case_id: str, recipient: str, topic: str, data: dict, at: str) -> OutboxItem:
    """A webhook event for a partner (an insurer code); body `{"type", "timestamp", "data"}`."""
    return _message("WEBHOOK", case_id, recipient, topic, {"type": topic, "timestamp": at, "data": {"caseId": case_id, **data}}, at)
