"""The local stand-in for the table's stream that starts deliveries in AWS (`infra/cdk/delivery.py`):
once the local AWS server has committed (and journaled) a DynamoDB write, the ids of the outbox
messages it put go to the deliverer, which makes their first attempt at once, as the
stream-triggered function does.

It matches what the AWS filter matches, items whose partition key is an outbox message's
(`outbox.key_prefix()`). A request does not tell a new item from a rewritten one as the stream's
INSERT does, but a rewritten message (a retry's backoff, a settled one) is not due, so
`delivery.deliver_new` leaves it to the schedule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from chalicelib.store import outbox

# The DynamoDB operations that put items (X-Amz-Target `DynamoDB_20120810.<operation>`).
_PUTTING = {"DynamoDB_20120810.PutItem", "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.BatchWriteItem"}


class OutboxStream:
    """`committed` for `persistence.JournalingApp`: the outbox ids a committed DynamoDB put wrote,
    handed to `new_messages`."""

    def __init__(self, new_messages: Callable[[list[str]], None]) -> None:
        self._new_messages = new_messages

    def committed(self, environ: dict[str, Any], body: bytes) -> None:
        if environ.get("HTTP_X_AMZ_TARGET") not in _PUTTING:
            return
        ids = list(new_outbox_ids(json.loads(body or b"{}")))
        if ids:
            self._new_messages(ids)


def new_outbox_ids(request: dict[str, Any]) -> Iterator[str]:
    """The outbox ids among the items a PutItem, TransactWriteItems or BatchWriteItem request puts."""
    items = [request.get("Item")]
    items += [entry.get("Put", {}).get("Item") for entry in request.get("TransactItems", [])]
    items += [write.get("PutRequest", {}).get("Item") for writes in request.get("RequestItems", {}).values() for write in writes]
    for item in items:
        outbox_id = outbox.id_of_key(str(((item or {}).get("pk") or {}).get("S", "")))
        if outbox_id:
            yield outbox_id
