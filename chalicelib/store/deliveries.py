"""The webhook delivery log: one line per attempt (pk `DELIVERIES#<insurer>`, sk
`<at>#<outboxId>#<attempt>`), newest first per insurer, kept 90 days."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.transactions import TransactWrite

from chalicelib.store import paging
from chalicelib.store.cases import iso
from chalicelib.store.models import DeliveryItem, OutboxItem, ReferenceItem

KEPT = timedelta(days=90)


def _partition(insurer_code: str) -> str:
    return f"DELIVERIES#{insurer_code}"


def record(
    message: OutboxItem,
    *,
    webhook_id: str,
    at: datetime,
    outcome: str,
    status_code: int | None,
    error: str | None,
    ms: float,
    disabled_insurer: ReferenceItem | None = None,
) -> None:
    """One attempt at a webhook, in one transaction: the message as it now stands (its `attempts`
    counting this one), the attempt's log line and, when the endpoint is gone, the insurer with
    its endpoint disabled."""
    when = iso(at)
    attempt = int(message.attempts)
    line = DeliveryItem(
        pk=_partition(message.recipient),
        sk=f"{when}#{message.outbox_id}#{attempt:02d}",
        outbox_id=message.outbox_id,
        webhook_id=webhook_id,
        insurer_code=message.recipient,
        topic=message.topic,
        case_id=message.case_id,
        attempt=attempt,
        at=when,
        outcome=outcome,
        status_code=status_code,
        error=error,
        ms=ms,
        expires_at=at + KEPT,
    )
    with TransactWrite(connection=OutboxItem._get_connection().connection) as transaction:
        transaction.save(message)
        transaction.save(line)
        if disabled_insurer is not None:
            transaction.save(disabled_insurer)


def page(insurer_code: str, limit: int, next_token: str | None = None) -> tuple[list[DeliveryItem], str | None]:
    """A page of an insurer's attempts, newest first, and the token for the next page (None at the end)."""
    results = DeliveryItem.query(
        _partition(insurer_code), scan_index_forward=False, limit=limit, last_evaluated_key=paging.decode(next_token)
    )
    lines = list(results)
    return lines, paging.encode(results.last_evaluated_key)
