"""The local outbox stream (infra/local/outbox_stream.py) finds the outbox messages a DynamoDB write
puts, as the AWS stream filter matches them (partition key of an outbox message), and nothing else."""

from __future__ import annotations

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


def test_given_committed_writes_then_only_puts_of_outbox_messages_are_handed_over() -> None:
    handed: list[list[str]] = []
    stream = OutboxStream(handed.append)
    body = json.dumps({"Item": _item(outbox.key_prefix() + "OB9")}).encode()
    stream.committed({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, body)
    stream.committed({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.DeleteItem"}, body)  # not a put: nothing
    stream.committed({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, json.dumps({"Item": _item("CASE#C1")}).encode())
    stream.committed({}, b"")  # S3 and the rest: nothing
    assert handed == [["OB9"]]
