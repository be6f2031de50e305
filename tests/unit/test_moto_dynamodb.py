"""The local store's moto patches (infra/local/moto_dynamodb.py, ADR 0035): TransactWriteItems all or
nothing as in moto without copying the table; Query answers as moto does without sorting the table."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import moto_dynamodb

TABLE = "transactions-under-test"


@pytest.fixture
def dynamodb():
    moto_dynamodb.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "g", "gs")],
            GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}]}],
            BillingMode="PAY_PER_REQUEST",
        )
        for sk in ("A", "B", "C"):
            client.put_item(TableName=TABLE, Item={"pk": {"S": "P"}, "sk": {"S": sk}, "n": {"N": "1"}})
        yield client


def _key(sk: str, pk: str = "P") -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _items(client) -> dict[tuple[str, str], dict]:
    rows = client.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return {(row["pk"]["S"], row["sk"]["S"]): row for row in rows}


def _update(sk: str, **extra) -> dict:
    return {"Update": {"TableName": TABLE, "Key": _key(sk), "UpdateExpression": "SET n = n + :one",
                       "ExpressionAttributeValues": {":one": {"N": "1"}}, **extra}}


def test_the_installed_moto_is_the_version_the_patch_was_written_against():
    import moto

    assert moto.__version__ == moto_dynamodb.PATCHED_MOTO, (
        "moto was upgraded: re-read moto/dynamodb/models/__init__.py transact_write_items, bring "
        "infra/local/moto_dynamodb.py in step, then update PATCHED_MOTO (ADR 0035)")


def test_given_a_failed_condition_in_the_last_item_then_the_first_items_are_unchanged(dynamodb):
    before = _items(dynamodb)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[
            _update("A"),
            {"Put": {"TableName": TABLE, "Item": {**_key("NEW"), "n": {"N": "9"}}}},
            {"Delete": {"TableName": TABLE, "Key": _key("C")}},
            {"Put": {"TableName": TABLE, "Item": {**_key("OTHER", pk="Q"), "n": {"N": "9"}}}},
            _update("B", ConditionExpression="n = :two",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"N": "2"}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        ])
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert reasons[4]["Message"] == "The conditional request failed"
    assert reasons[4]["Item"] == {**_key("B"), "n": {"N": "1"}}
    assert _items(dynamodb) == before  # the update undone, the puts gone (a new partition too), the delete undone


def test_given_two_failed_conditions_then_each_is_reported_and_nothing_changes(dynamodb):
    before = _items(dynamodb)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**_key("A"), "n": {"N": "5"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
            _update("B"),
            {"ConditionCheck": {"TableName": TABLE, "Key": _key("C"), "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    assert [r["Code"] for r in raised.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None",
                                                                                 "ConditionalCheckFailed"]
    assert _items(dynamodb) == before


def test_given_the_same_key_twice_then_refused_and_nothing_changes(dynamodb):
    before = _items(dynamodb)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[_update("A"), _update("B"), _update("A")])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _items(dynamodb) == before


def test_given_conditions_that_hold_then_every_item_is_applied(dynamodb):
    dynamodb.transact_write_items(TransactItems=[
        _update("A", ConditionExpression="n = :one"),
        {"Put": {"TableName": TABLE, "Item": {**_key("D"), "n": {"N": "4"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Delete": {"TableName": TABLE, "Key": _key("C")}},
        {"ConditionCheck": {"TableName": TABLE, "Key": _key("B"), "ConditionExpression": "attribute_exists(pk)"}},
    ])
    items = _items(dynamodb)
    assert items[("P", "A")]["n"] == {"N": "2"}
    assert items[("P", "D")]["n"] == {"N": "4"}
    assert ("P", "C") not in items
    assert items[("P", "B")]["n"] == {"N": "1"}


def test_a_transaction_copies_only_the_items_it_touches(dynamodb, monkeypatch):
    from moto.dynamodb.models.table import Table

    def refuse(self, memo):
        raise AssertionError("the whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    dynamodb.transact_write_items(TransactItems=[_update("A"), _update("B")])
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[_update("A"), _update("B", ConditionExpression="n = :one")])
    assert _items(dynamodb)[("P", "A")]["n"] == {"N": "2"}


def _fill(client, partitions: int) -> None:
    for i in range(partitions):
        for sk in ("x", "y"):
            client.put_item(TableName=TABLE, Item={"pk": {"S": f"F{i:04d}"}, "sk": {"S": sk}, "g": {"S": f"G{i % 3}"},
                                                   "gs": {"S": f"{sk}{i:04d}"}})


def _pages(client, **query) -> list[list[tuple[str, str]]]:
    pages, start = [], None
    while True:
        page = client.query(TableName=TABLE, Limit=7, **({"ExclusiveStartKey": start} if start else {}), **query)
        pages.append([(row["pk"]["S"], row["sk"]["S"]) for row in page["Items"]])
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def test_queries_answer_as_moto_does_pages_and_order_included(dynamodb):
    from moto.dynamodb.models.table import Table

    _fill(dynamodb, 40)
    queries = [
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P"}}},
        {"KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
         "ExpressionAttributeValues": {":p": {"S": "F0007"}, ":s": {"S": "y"}}},
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
        {"IndexName": "gsi", "KeyConditionExpression": "g = :g", "ExpressionAttributeValues": {":g": {"S": "G1"}}},
        {"IndexName": "gsi", "KeyConditionExpression": "g = :g AND gs > :s", "ScanIndexForward": False,
         "ExpressionAttributeValues": {":g": {"S": "G2"}, ":s": {"S": "x0020"}}},
    ]
    patched = [_pages(dynamodb, **q) for q in queries]
    ours = Table.query, Table.all_items
    Table.query, Table.all_items = ours[0].moto_original, ours[1].moto_original
    try:
        assert [_pages(dynamodb, **q) for q in queries] == patched
    finally:
        Table.query, Table.all_items = ours
    assert sum(len(page) for page in patched[3]) == 26  # G1: 13 partitions x 2 items, pages of 7


def test_a_query_of_one_partition_does_not_sort_the_table(dynamodb, monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    _fill(dynamodb, 300)
    compared = []
    original = DynamoType.__lt__
    monkeypatch.setattr(DynamoType, "__lt__", lambda self, other: compared.append(1) or original(self, other))
    rows = dynamodb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "F0150"}})["Items"]
    assert [row["sk"]["S"] for row in rows] == ["x", "y"]
    assert len(compared) < 20
