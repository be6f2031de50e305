"""moto's DynamoDB, costing by what a call touches rather than by the table's size (ADR 0035).

moto 5.2 makes two calls grow with the whole table, so the local stack and the tests slow down as
data accumulates:
- `DynamoDBBackend.transact_write_items` deep-copies every table a transaction touches, once per
  transaction item, so that it can roll back: a case transaction of 6 items on a table of 20,000
  items copies 120,000 items;
- `Table.query` starts from `all_items()`, every item of the table sorted by key (Python compares
  of DynamoType, n log n), then keeps the partition it wants and sorts that again.

Query: during a `Table.query`, `all_items()` answers unsorted (the query sorts what it keeps by the
index's keys or the range key anyway, so the order it returns is moto's), and for a query of the
table itself (no index) only the partition asked for. Scans and exports keep moto's sorted list.
A Query of an index still reads every item (moto keeps no index), without the sort.

This replacement keeps moto's semantics and error reporting and changes only how it undoes: before
each item is applied, that one item's previous state (a copy of it, or its absence) is kept, and a
cancelled transaction puts back exactly those items, newest first. As in moto:
- items are applied in order; each key at most once (so every condition sees the item as it was
  before the transaction), a condition failure is reported per item (`CancellationReasons`, with
  the old item when `ReturnValuesOnConditionCheckFailure` is ALL_OLD) and changes nothing;
- a validation error or a repeated key undoes what was applied and is raised as such.
Two differences, both towards AWS: a request with two operations in one item undoes what earlier
items applied (moto leaves them), and tables with a stream keep moto's own code (their stream
records would otherwise outlive a cancelled transaction).

TransactWriteItems: `install()` is called by the local stack before its moto server starts and by the tests' session
fixture. `PATCHED_MOTO` is the moto version this was written against: a unit test fails when the
installed moto differs, so an upgrade re-reads moto's function before this is trusted again.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

PATCHED_MOTO = "5.2.5"

_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


def install() -> None:
    """Replace moto's TransactWriteItems and its Query's starting point (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    current = DynamoDBBackend.transact_write_items
    if getattr(current, "touches_only_its_items", False):
        return
    DynamoDBBackend.transact_write_items = _replacement(current)  # type: ignore[method-assign]
    Table.query, Table.all_items = _query_reading_less(Table.query, Table.all_items)  # type: ignore[method-assign]


_querying = threading.local()  # .table and .partition while a Table.query runs on this thread


def _query_reading_less(moto_query: Any, moto_all_items: Any) -> tuple[Any, Any]:
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        _querying.table, _querying.partition = self, (None if index_name else hash_key)
        try:
            return moto_query(self, hash_key, *args, **kwargs)
        finally:
            _querying.table = _querying.partition = None

    def all_items(self: Any) -> list[Any]:
        if getattr(_querying, "table", None) is not self:
            return moto_all_items(self)  # type: ignore[no-any-return]
        partition = _querying.partition
        if partition is None:  # an index: every item, in no particular order
            if not self.range_key_attr:
                return list(self.items.values())
            return [item for items in self.items.values() for item in items.values()]
        found = self.items.get(partition)
        if found is None:
            return []
        return list(found.values()) if self.range_key_attr else [found]

    query.moto_original = moto_query  # type: ignore[attr-defined]  # for the tests' comparison
    all_items.moto_original = moto_all_items  # type: ignore[attr-defined]
    return query, all_items


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


class _Undo:
    """The previous state of each item a transaction touched, put back on cancel."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item copy or None)

    def keep(self, backend: Any, table: Any, key: dict[str, Any]) -> None:
        hash_value, range_value = backend.get_keys_value(table, key)
        before = table.get_item(hash_value, range_value)
        self._saved.append((table, hash_value, range_value, copy.deepcopy(before)))

    def restore(self) -> None:
        for table, hash_value, range_value, before in reversed(self._saved):
            if range_value is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
                continue
            partition = table.items[hash_value]
            if before is None:
                partition.pop(range_value, None)
                if not partition:
                    del table.items[hash_value]
            else:
                partition[range_value] = before
        self._saved.clear()


def _replacement(moto_transact: Any) -> Any:
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        touched = {op.get("TableName") for item in transact_items for op in item.values()}
        if any(getattr(self.tables.get(name), "stream_shard", None) is not None for name in touched):
            return moto_transact(self, transact_items)  # type: ignore[no-any-return]
        undo = _Undo()
        seen: set[tuple[str, str]] = set()
        errors: list[tuple[Any, Any, Any]] = []  # (Code, Message, Item) per item, as moto reports them
        for item in transact_items:
            if len(item) > 1:
                undo.restore()
                raise TransactWriteSingleOpException
            original_item: dict[str, Any] | None = None
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in _OPERATIONS:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                table = self.get_table(table_name)
                key = _key_of(table, op_type, op)
                unique = (str(table_name), str(dict(sorted(key.items()))))
                if unique in seen:
                    raise MultipleTransactionsException()
                seen.add(unique)
                condition = op.get("ConditionExpression")
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                current = self.get_item(table_name, key)
                if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    undo.keep(self, table, key)
                expression = {"condition_expression": condition, "expression_attribute_names": names,
                              "expression_attribute_values": values}
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], **expression)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, **expression)
                elif op_type == "Update":
                    self.update_item(table_name, key, update_expression=op["UpdateExpression"], **expression)
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                undo.restore()
                raise
            except ConditionalCheckFailed as error:
                errors.append(("ConditionalCheckFailed", str(error.message), original_item))
            except Exception as error:  # noqa: BLE001 (moto reports any other failure per item, then cancels)
                errors.append((type(error).__name__, str(error), original_item))
        if any(code is not None for code, _, _ in errors):
            undo.restore()
            raise TransactionCanceledException(errors)
        return None

    transact_write_items.touches_only_its_items = True  # type: ignore[attr-defined]
    transact_write_items.moto_original = moto_transact  # type: ignore[attr-defined]  # for the bench's before/after
    return transact_write_items
