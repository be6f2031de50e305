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
from collections.abc import Iterator
from contextlib import contextmanager
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
    _install_index_queries()


_querying = threading.local()  # .table and .partition while a Table.query runs on this thread


@contextmanager
def _set_while(scope: threading.local, **values: Any) -> Iterator[None]:
    """This thread's `scope` holds `values` for the block (how a patched Query tells the
    `all_items` it calls which items it may read), and nothing after it."""
    for name, value in values.items():
        setattr(scope, name, value)
    try:
        yield
    finally:
        for name in values:
            setattr(scope, name, None)


def _query_reading_less(moto_query: Any, moto_all_items: Any) -> tuple[Any, Any]:
    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        with _set_while(_querying, table=self, partition=None if index_name else hash_key):
            return moto_query(self, hash_key, *args, **kwargs)

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


# --- Index Queries (ADR 0035 amendment, issue 17): read the asked partition's sort keys in order ---
#
# moto keeps no index: each Query of a GSI or LSI reads every item of the table, keeps the asked
# partition, sorts it and applies the sort-key condition to each item, so the nearest-truck search
# cost with the table and its 10,000-truck partition. Here each index of one hash and one range key
# of type S or N has a file: its partitions, each a list of (range value, table hash, table range)
# in order. A Query reads the slice its sort-key condition selects (bisect) and hands only those
# items to moto's own query, which still checks, sorts, pages and projects them: same answers.
# The files follow the table lazily: every path that changes an item (put, delete, update, the
# transaction's undo) marks its key, and the next index Query refiles the marked keys.

_INDEX_KEY_TYPES = {"S", "N"}
_filing = threading.Lock()  # the server answers on several threads; the files change under this lock


class _IndexFile:
    def __init__(self, hash_attr: str, range_attr: str) -> None:
        self.hash_attr, self.range_attr = hash_attr, range_attr
        self.partitions: dict[Any, list[tuple[Any, Any, Any]]] = {}
        self.filed: dict[tuple[Any, Any], tuple[Any, tuple[Any, Any, Any]]] = {}

    def refile(self, table: Any, key: tuple[Any, Any]) -> None:
        import bisect

        old = self.filed.pop(key, None)
        if old is not None:
            entries = self.partitions[old[0]]
            del entries[bisect.bisect_left(entries, old[1])]
        item = _item_at(table, key)
        if item is None:
            return
        hash_value, range_value = item.attrs.get(self.hash_attr), item.attrs.get(self.range_attr)
        if hash_value is None or range_value is None or range_value.type not in _INDEX_KEY_TYPES:
            return
        entry = (range_value.cast_value, *key)
        bisect.insort(self.partitions.setdefault(hash_value, []), entry)
        self.filed[key] = (hash_value, entry)

    def selected(self, hash_value: Any, comparison: str | None, values: list[Any]) -> list[tuple[Any, Any, Any]]:
        """The entries of the partition that may meet the sort-key condition (moto checks them again)."""
        import bisect

        entries = self.partitions.get(hash_value, [])
        natives = [value.cast_value for value in values]
        op = (comparison or "").upper()

        def low(value: Any) -> int:
            return bisect.bisect_left(entries, value, key=lambda entry: entry[0])

        def high(value: Any) -> int:
            return bisect.bisect_right(entries, value, key=lambda entry: entry[0])

        start, end = 0, len(entries)
        if op in ("=", "EQ"):
            start, end = low(natives[0]), high(natives[0])
        elif op in ("<", "LT"):
            end = low(natives[0])
        elif op in ("<=", "LE"):
            end = high(natives[0])
        elif op in (">", "GT"):
            start = high(natives[0])
        elif op in (">=", "GE"):
            start = low(natives[0])
        elif op == "BETWEEN":
            start, end = low(natives[0]), high(natives[1])
        elif op == "BEGINS_WITH" and isinstance(natives[0], str):
            start = end = low(natives[0])
            while end < len(entries) and isinstance(entries[end][0], str) and entries[end][0].startswith(natives[0]):
                end += 1
        # One neighbour each side, which moto rejects: with it, a page that ends exactly at `Limit`
        # gets a LastEvaluatedKey when more of the partition follows, as moto's walk gives it.
        return entries[max(start - 1, 0) : end + 1]


def _item_at(table: Any, key: tuple[Any, Any]) -> Any:
    hash_value, range_value = key
    found = table.items.get(hash_value)
    if found is None or range_value is None:
        return found
    return found.get(range_value)


def _files(table: Any) -> dict[str, _IndexFile]:
    """The table's index files, built on first use, brought up to date with the marked keys."""
    files: dict[str, _IndexFile] | None = table.__dict__.get("_index_files")
    if files is None:
        types = {d["AttributeName"]: d["AttributeType"] for d in table.attr}
        files = {}
        for index in table.all_indexes():
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hashes) == 1 and len(ranges) == 1 and types.get(ranges[0]) in _INDEX_KEY_TYPES:
                files[index.name] = _IndexFile(hashes[0], ranges[0])
        table._index_files, table._index_marked = files, set()
        keys = [(item.hash_key, item.range_key) for item in _every_item(table)]
        for file in files.values():
            for key in keys:
                file.refile(table, key)
        return files
    marked: set[tuple[Any, Any]] = table._index_marked
    while marked:
        key = marked.pop()
        for file in files.values():
            file.refile(table, key)
    return files


def _every_item(table: Any) -> list[Any]:
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for items in table.items.values() for item in items.values()]


def _mark(table: Any, hash_value: Any, range_value: Any) -> None:
    marked = table.__dict__.get("_index_marked")
    if marked is not None:
        marked.add((hash_value, range_value))


_index_query = threading.local()  # .table and .items while an index Query runs on this thread


def _index_queries_reading_their_slice(query: Any, all_items: Any) -> tuple[Any, Any]:
    """`Table.query` / `Table.all_items` for index Queries (wrapping the table Query's patch)."""
    import inspect

    signature = inspect.signature(query.moto_original)

    def index_query(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked = signature.bind(self, *args, **kwargs).arguments
        if len(asked.get("hash_key_conditions") or []) > 1 or len(asked.get("range_key_conditions") or []) > 1:
            return query(self, *args, **kwargs)  # keys of several attributes: moto's own path
        with _filing:
            file = _files(self).get(asked.get("index_name") or "")
            try:
                entries = None if file is None else file.selected(
                    asked["hash_key"], asked.get("range_comparison"), asked.get("range_objs") or [])
            except TypeError:  # a sort-key value of another type than the index's: moto's own path
                entries = None
            items = None if entries is None else [item for _, h, r in entries if (item := _item_at(self, (h, r))) is not None]
        if items is None:
            return query(self, *args, **kwargs)
        with _set_while(_index_query, table=self, items=items):
            return query(self, *args, **kwargs)

    def slice_items(self: Any) -> list[Any]:
        if getattr(_index_query, "table", None) is self:
            return list(_index_query.items)
        return all_items(self)  # type: ignore[no-any-return]

    index_query.moto_original = query.moto_original  # type: ignore[attr-defined]
    slice_items.moto_original = all_items.moto_original  # type: ignore[attr-defined]
    return index_query, slice_items


def _marking(change: Any, key_of: Any) -> Any:
    """Wrap a function that changes an item so the index files refile its key."""

    def changed(*args: Any, **kwargs: Any) -> Any:
        try:
            return change(*args, **kwargs)
        finally:
            try:
                table, hash_value, range_value = key_of(*args, **kwargs)
            except Exception:  # noqa: BLE001 (a call refused for its key changed nothing)
                table = None
            if table is not None:
                _mark(table, hash_value, range_value)

    changed.moto_original = change  # type: ignore[attr-defined]
    return changed


def _install_index_queries() -> None:
    """Index Queries read their partition's slice; every item change marks its key (from `install`)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "reads_its_slice", False):
        return
    Table.query, Table.all_items = _index_queries_reading_their_slice(Table.query, Table.all_items)  # type: ignore[method-assign]
    Table.query.reads_its_slice = True  # type: ignore[attr-defined]

    def put_key(table: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> tuple[Any, Any, Any]:
        hash_value = DynamoType(item_attrs[table.hash_key_attr])
        range_value = DynamoType(item_attrs[table.range_key_attr]) if table.range_key_attr else None
        return table, hash_value, range_value

    def delete_key(table: Any, hash_key: Any, range_key: Any = None, *args: Any, **kwargs: Any) -> tuple[Any, Any, Any]:
        return table, hash_key, range_key

    def update_key(backend: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> tuple[Any, Any, Any]:
        table = backend.tables.get(table_name)
        if table is None:
            return None, None, None
        return (table, *backend.get_keys_value(table, key))

    Table.put_item = _marking(Table.put_item, put_key)  # type: ignore[method-assign]
    Table.delete_item = _marking(Table.delete_item, delete_key)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _marking(DynamoDBBackend.update_item, update_key)  # type: ignore[method-assign]
    undo_restore = _Undo.restore

    def restore(undo: _Undo) -> None:
        for table, hash_value, range_value, _ in undo._saved:
            _mark(table, hash_value, range_value)
        undo_restore(undo)

    _Undo.restore = restore  # type: ignore[method-assign,assignment]
