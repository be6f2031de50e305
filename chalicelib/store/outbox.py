"""The outbox: messages written in the same transaction as the change that causes them.

Pending messages sit in a sparse index per channel, spread over a few shards
(`OUTBOX#PENDING#<channel>#<n>`, sorted by when the next attempt is due), so a deliverer finds
what is due with Queries and no single partition takes every write. Dead letters move to
`OUTBOX#DEAD#<channel>` (sorted by creation) for someone to look at; delivered ones leave the
index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain.ids import new_outbox_id
from chalicelib.store import index_reads
from chalicelib.store.models import OutboxItem

SHARDS = 8
PENDING = "PENDING"
DEAD = "DEAD"
_KEY_PREFIX = "OUTBOX#"
_SORT_KEY = "#OUTBOX"


def _shard(outbox_id: str) -> int:
    return int(hashlib.sha256(outbox_id.encode()).hexdigest(), 16) % SHARDS


def _message(channel: str, case_id: str, recipient: str, topic: str, payload: dict, at: str) -> OutboxItem:
    outbox_id = new_outbox_id()
    return OutboxItem(
        pk=f"{_KEY_PREFIX}{outbox_id}",
        sk=_SORT_KEY,
        outbox_id=outbox_id,
        channel=channel,
        topic=topic,
        case_id=case_id,
        recipient=recipient,
        payload=payload,
        status=PENDING,
        created_at=at,
        next_attempt_at=at,
        gsi1pk=pending_key(channel, _shard(outbox_id)),
        gsi1sk=f"{at}#{outbox_id}",
    )


def notice(case_id: str, party_id: str, topic: str, text: str, at: str, link_issued_at: str | None = None) -> OutboxItem:
    """A notice to one party, delivered later (WeChat if linked, else SMS); holds no phone number.

    With `link_issued_at`, the party's case link is appended when it is sent (the token it
    carries is never stored here).
    """
    payload: dict = {"text": text}
    if link_issued_at:
        payload.update(link=True, issuedAt=link_issued_at)
    return _message("NOTICE", case_id, party_id, topic, payload, at)


def pending_key(channel: str, shard: int) -> str:
    return f"OUTBOX#{PENDING}#{channel}#{shard}"


def pending(channels: tuple[str, ...] = ("NOTICE", "WEBHOOK"), due_by: str | None = None) -> Iterator[OutboxItem]:
    """Messages not yet delivered (due by `due_by`, an ISO time, if given), oldest first per shard."""
    for channel in channels:
        for shard in range(SHARDS):
            condition = OutboxItem.gsi1sk <= f"{due_by}~" if due_by else None
            yield from index_reads.whole(OutboxItem, OutboxItem.gsi1, pending_key(channel, shard), condition, scan_index_forward=True)


def lease(item: OutboxItem, now: str, until: str) -> bool:
    """Take a pending message for one worker until `until` (ISO times); False when another worker
    holds it or it is no longer pending."""
    try:
        item.update(
            actions=[OutboxItem.lease_until.set(until)],
            condition=(OutboxItem.status == PENDING)
            & (OutboxItem.lease_until.does_not_exist() | (OutboxItem.lease_until < now)),
        )
    except UpdateError:
        return False
    return True


def retry_at(item: OutboxItem, due: str) -> None:
    """Still pending, due again at `due` (an ISO time); the caller saves it."""
    item.next_attempt_at = due
    item.lease_until = None
    item.gsi1sk = f"{due}#{item.outbox_id}"


def settle(item: OutboxItem, status: str) -> None:
    """Done with (delivered, or its endpoint gone or disabled): out of the pending index."""
    item.status = status
    item.lease_until = None
    item.gsi1pk = item.gsi1sk = None


def bury(item: OutboxItem) -> None:
    """Given up on: a dead letter, listed per channel for someone to look at."""
    item.status = DEAD
    item.lease_until = None
    item.gsi1pk = f"OUTBOX#{DEAD}#{item.channel}"
    item.gsi1sk = f"{item.created_at}#{item.outbox_id}"


def event(case_id: str, recipient: str, topic: str, data: dict, at: str) -> OutboxItem:
    """A webhook event for a partner (an insurer code); body `{"type", "timestamp", "data"}`."""
    return _message("WEBHOOK", case_id, recipient, topic, {"type": topic, "timestamp": at, "data": {"caseId": case_id, **data}}, at)


def key_prefix() -> str:
    """The start of every message's partition key: what a table stream filter on new messages
    matches (`infra/cdk/delivery.py`); the pending and dead indexes' keys are not partition keys."""
    return _KEY_PREFIX


def id_of_key(partition_key: str) -> str | None:
    """The outbox id in a message's partition key (a stream record's `Keys.pk`), else None."""
    rest = partition_key.removeprefix(_KEY_PREFIX)
    return rest if rest != partition_key and "#" not in rest else None


def get(outbox_id: str) -> OutboxItem | None:
    """The message as stored now (strongly consistent), or None."""
    try:
        return OutboxItem.get(f"{_KEY_PREFIX}{outbox_id}", _SORT_KEY, consistent_read=True)
    except DoesNotExist:
        return None
