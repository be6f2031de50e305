"""The local outbox stream (infra/local/outbox_stream.py) finds the outbox messages a DynamoDB write
puts, as the AWS stream filter matches them (partition key of an outbox message), and nothing else."""

from __future__ import annotations

import io
import json

from chalicelib.store import outbox
from infra.local.outbox_stream import OutboxStream, new_outbox_ids


def _item(pk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "#X"}}


def test_given_put_transact_and_batch_writes_then_only_outbox_messages_are_found() -> None:
    message = outbox.key_prefix() + "OB1"
    assert list(new_outbox_ids({"Item": _item(message)})) == ["OB1"]
    assert list(new_outbox_ids({"TransactItems": [{"Put": {"Item": _item("CASE#C1")}}, {"Put": {"Item": _item(message)}},
                                                   {"Update": {"Key": _item(outbox.key_prefix() + "OB2")}}]})) == ["OB1"]
    assert list(new_outbox_ids({"RequestItems": {"t": [{"PutRequest": {"Item": _item(message)}}]}})) == ["OB1"]
    # the pending index's keys are not partition keys of messages
    assert list(new_outbox_ids({"Item": _item(outbox.pending_key("NOTICE", 3))})) == []


def _call(stream: OutboxStream, target: str, body: dict) -> list[bytes]:
    raw = json.dumps(body).encode()
    environ = {"HTTP_X_AMZ_TARGET": target, "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw)}
    return stream(environ, lambda *args: None)


def test_given_a_write_when_answered_then_its_messages_are_handed_over_once_committed() -> None:
    handed: list[list[str]] = []
    seen: list[bytes] = []

    def app(status: str):
        def answer(environ, start_response):
            seen.append(environ["wsgi.input"].read())  # the wrapped app still reads the whole body
            start_response(status, [])
            return [b"{}"]
        return answer

    body = {"Item": _item(outbox.key_prefix() + "OB9")}
    _call(OutboxStream(app("200 OK"), handed.append), "DynamoDB_20120810.PutItem", body)
    _call(OutboxStream(app("400 Bad Request"), handed.append), "DynamoDB_20120810.PutItem", body)  # refused: nothing
    _call(OutboxStream(app("200 OK"), handed.append), "DynamoDB_20120810.GetItem", body)  # a read: nothing
    assert handed == [["OB9"]]
    assert seen[0] == json.dumps(body).encode()
