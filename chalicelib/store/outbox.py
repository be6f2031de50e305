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


def notice(case_id: str, party_id: str, topic: str, text: str, at: str) -> OutboxItem:
    """A notice to one party, delivered later (WeChat if linked, else SMS); holds no phone number."""
    outbox_id = new_outbox_id()
    return OutboxItem(
        pk=f"OUTBOX#{outbox_id}",
        sk="#OUTBOX",
        outbox_id=outbox_id,
        channel="NOTICE",
        topic=topic,
        case_id=case_id,
        recipient=party_id,
        payload={"text": text},
        status=PENDING,
        created_at=at,
        gsi1pk=f"OUTBOX#{PENDING}#{_shard(outbox_id)}",
        gsi1sk=f"{at}#{outbox_id}",
    )


def pending() -> Iterator[OutboxItem]:
    """Every message not yet delivered, oldest first within each shard."""
    for shard in range(SHARDS):
        yield from OutboxItem.gsi1.query(f"OUTBOX#{PENDING}#{shard}", scan_index_forward=True)
