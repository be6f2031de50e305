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


def _as_moto(query):
    """Run `query()` with moto's own Table.query and all_items (the patches set aside)."""
    from moto.dynamodb.models.table import Table

    ours = Table.query, Table.all_items
    Table.query, Table.all_items = ours[0].moto_original, ours[1].moto_original
    try:
        return query()
    finally:
        Table.query, Table.all_items = ours


def _random_change(client, rng) -> None:
    """A put (in or out of the index), an update that moves, adds or removes index keys, a delete,
    or a cancelled transaction, on one of a few dozen keys."""
    key = _key(f"s{rng.randrange(40):02d}", pk=f"R{rng.randrange(3)}")
    index_keys = {"g": {"S": f"G{rng.randrange(2)}"}, "gs": {"S": f"{rng.choice('abc')}{rng.randrange(30):02d}"}}
    kind = rng.choice(["put", "put", "put_unindexed", "update", "remove", "delete", "cancelled"])
    if kind == "put":
        client.put_item(TableName=TABLE, Item={**key, **index_keys, "n": {"N": str(rng.randrange(9))}})
    elif kind == "put_unindexed":
        client.put_item(TableName=TABLE, Item={**key, "n": {"N": "0"}})
    elif kind == "update":
        client.update_item(TableName=TABLE, Key=key, UpdateExpression="SET g = :g, gs = :gs",
                           ExpressionAttributeValues={":g": index_keys["g"], ":gs": index_keys["gs"]})
    elif kind == "remove":
        client.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE gs")
    elif kind == "delete":
        client.delete_item(TableName=TABLE, Key=key)
    else:
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {**key, **index_keys}}},
                {"ConditionCheck": {"TableName": TABLE, "Key": _key("A"), "ConditionExpression": "attribute_not_exists(pk)"}},
            ])


def _random_query(rng) -> dict:
    bound = f"{rng.choice('abc')}{rng.randrange(30):02d}"
    condition, values = rng.choice([
        ("", {}),
        (" AND gs = :s", {":s": {"S": bound}}),
        (" AND gs < :s", {":s": {"S": bound}}),
        (" AND gs <= :s", {":s": {"S": bound}}),
        (" AND gs > :s", {":s": {"S": bound}}),
        (" AND gs >= :s", {":s": {"S": bound}}),
        (" AND gs BETWEEN :s AND :t", {":s": {"S": bound}, ":t": {"S": f"{bound[0]}{int(bound[1:]) + 9:02d}"}}),
        (" AND begins_with(gs, :s)", {":s": {"S": rng.choice(["a", "b1", "c0", "d"])}}),
    ])
    query = {"IndexName": "gsi", "KeyConditionExpression": "g = :g" + condition, "Limit": rng.choice([3, 7, 100]),
             "ScanIndexForward": rng.random() < 0.5, "ExpressionAttributeValues": {":g": {"S": f"G{rng.randrange(3)}"}, **values}}
    if rng.random() < 0.3:
        query["ProjectionExpression"] = "gs, n"
    return query


def _all_pages(client, query) -> list[dict]:
    pages, start = [], None
    while True:
        page = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append({k: page.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def test_index_queries_answer_as_moto_does_while_items_enter_move_and_leave_the_index(dynamodb):
    import random

    rng = random.Random(35)
    for _ in range(300):
        _random_change(dynamodb, rng)
        if rng.random() < 0.5:
            query = _random_query(rng)
            assert _all_pages(dynamodb, query) == _as_moto(lambda q=query: _all_pages(dynamodb, q)), query


def test_an_index_query_reads_only_its_slice_of_its_partition(dynamodb, monkeypatch):
    from moto.dynamodb.models.dynamo_type import DynamoType

    _fill(dynamodb, 600)
    dynamodb.query(TableName=TABLE, IndexName="gsi", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "G0"}}, Limit=1)  # files the table once
    compared = []
    original = DynamoType.compare
    monkeypatch.setattr(DynamoType, "compare", lambda self, *args: compared.append(1) or original(self, *args))
    rows = dynamodb.query(TableName=TABLE, IndexName="gsi", KeyConditionExpression="g = :g AND begins_with(gs, :s)",
                          ExpressionAttributeValues={":g": {"S": "G1"}, ":s": {"S": "y030"}})["Items"]
    assert sorted(row["gs"]["S"] for row in rows) == [f"y030{i}" for i in range(10) if int(f"30{i}") % 3 == 1]
    assert len(compared) <= len(rows) + 2  # the slice and a neighbour each side, not the partition's 400 items
