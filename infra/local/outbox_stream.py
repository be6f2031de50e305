"""The local stand-in for the table's stream that starts deliveries in AWS (`infra/cdk/delivery.py`):
a WSGI wrapper in front of the local AWS server that, once a DynamoDB write has been answered
(committed, and journaled by the wrapper inside it), hands the ids of the outbox messages it put
to the deliverer, which makes their first attempt at once, as the stream-triggered function does.

It matches what the AWS filter matches, items whose partition key is an outbox message's
(`outbox.key_prefix()`). A request does not tell a new item from a rewritten one as the stream's
INSERT does, but a rewritten message (a retry's backoff, a settled one) is not due, so
`delivery.deliver_new` leaves it to the schedule.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from chalicelib.store import outbox

# The DynamoDB operations that put items (X-Amz-Target `DynamoDB_20120810.<operation>`).
_PUTTING = {"DynamoDB_20120810.PutItem", "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.BatchWriteItem"}


class OutboxStream:
    def __init__(self, app: Callable[..., Iterable[bytes]], new_messages: Callable[[list[str]], None]) -> None:
        self._app = app
        self._new_messages = new_messages

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") not in _PUTTING:
            return list(self._app(environ, start_response))
        length = environ.get("CONTENT_LENGTH") or ""
        body = environ["wsgi.input"].read(int(length)) if length.isdigit() else environ["wsgi.input"].read()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        statuses: list[str] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        answer = list(self._app(environ, recording_start_response))
        if statuses and int(statuses[0].split()[0]) < 400:
            ids = list(new_outbox_ids(json.loads(body or b"{}")))
            if ids:
                self._new_messages(ids)
        return answer


def new_outbox_ids(request: dict[str, Any]) -> Iterator[str]:
    """The outbox ids among the items a PutItem, TransactWriteItems or BatchWriteItem request puts."""
    items = [request.get("Item")]
    items += [entry.get("Put", {}).get("Item") for entry in request.get("TransactItems", [])]
    items += [write.get("PutRequest", {}).get("Item") for writes in request.get("RequestItems", {}).values() for write in writes]
    for item in items:
        outbox_id = outbox.id_of_key(str(((item or {}).get("pk") or {}).get("S", "")))
        if outbox_id:
            yield outbox_id
