"""Counts every AWS call the local stack makes, on every thread, and what DynamoDB bills for each.

One patch, installed by the cost bench and removed after it: ``botocore.client.BaseClient._make_api_call``
(every PynamoDB and boto3 call goes through it). The local AWS is moto in this process, so the meter
reads the items a DynamoDB call touches from moto's own tables (a dictionary lookup, no call): the
old item before a write and the new one after it, the whole item a keyed read returns even when the
caller asked for a few attributes, and each index's projected entry. The units then follow
DynamoDB's rules (`bench/dynamodb_units.py`), per item, with the item's type from its key.

Also counted: API Gateway requests and the API function's invocations (``LocalGateway.handle_request``),
the workflows' Lambda tasks (``lambda.Invoke``, answered in process by `infra/local/lambdas.py`) and
the deliverer's invocations (one per new outbox message, as the stream hands them over). The
deliverer's scheduled round (``deliver_due``: every half second locally, every minute in AWS) is a
cost per minute, not per case: its calls are marked "scheduled" and left out of the per-case figures.
The bench's own calls (waiting, reading histories) run inside ``uncounted()``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import dynamodb_units as units

_WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
_READS = {"GetItem"}


@dataclass
class Charge:
    """What one item (or one Query page) of one call costs."""

    service: str
    operation: str
    item_type: str = ""
    write_units: float = 0.0  # the table's
    index_write_units: float = 0.0  # the global secondary indexes'
    read_units: float = 0.0
    origin: str = "case"  # or "scheduled": not charged to a case
    call_items: int = 1  # the items the call wrote (a transaction of one could be a plain conditional write)


@dataclass
class Invocation:
    function: str  # "api", "workflow:<name>" or "deliverer"
    seconds: float  # locally, waits on moto included
    aws_seconds: float  # of which inside AWS calls
    aws_calls: int

    def billed_seconds(self, per_call: float) -> float:
        """What Lambda would bill: our own time, plus `per_call` for each AWS call (moto's
        80-480 ms a call would overstate AWS's few milliseconds), to the millisecond."""
        own = max(0.0, self.seconds - self.aws_seconds)
        return max(1, round((own + self.aws_calls * per_call) * 1000)) / 1000


def item_type(key: dict[str, Any]) -> str:
    """`CASE / #CASE`, `AUDIT / <n>`: the upper-case words of the key, ids, numbers and times dropped."""

    def shape(value: str) -> str:
        head = value.split("#")[0] if not value.startswith("#") else "#" + value[1:].split("#")[0]
        return head if re.fullmatch(r"#?[A-Z_]+", head) else "<n>"

    pk, sk = key.get("pk", {}).get("S", "?"), key.get("sk", {}).get("S", "")
    return f"{shape(pk)} / {shape(sk)}"


@dataclass
class CostMeter:
    region: str
    charges: list[Charge] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (service, operation, origin)
    executions: list[str] = field(default_factory=list)  # the Step Functions runs started
    largest: dict[str, dict[str, Any]] = field(default_factory=dict)  # item type → the largest item written

    def __post_init__(self) -> None:
        self._scope = threading.local()
        self._lock = threading.Lock()
        self._originals: dict[str, Any] = {}

    # --- installing ---------------------------------------------------------------------------

    def install(self) -> CostMeter:
        from botocore.client import BaseClient
        from chalice.local import LocalGateway

        from chalicelib.services import delivery

        meter = self
        original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
        original_handle = LocalGateway.handle_request
        original_due, original_new = delivery.deliver_due, delivery.deliver_new

        def _make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if getattr(meter._scope, "uncounted", False):
                return original_call(client, operation, params)
            return meter._metered(client, operation, params, lambda: original_call(client, operation, params))

        def handle_request(gateway: Any, *args: Any, **kwargs: Any) -> Any:
            with meter._invocation("api"):
                return original_handle(gateway, *args, **kwargs)

        def deliver_due(*args: Any, **kwargs: Any) -> Any:
            with meter._origin("scheduled"):
                return original_due(*args, **kwargs)

        def deliver_new(*args: Any, **kwargs: Any) -> Any:
            with meter._invocation("deliverer"):
                return original_new(*args, **kwargs)

        self._originals = {"call": original_call, "handle": original_handle, "due": original_due, "new": original_new}
        setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010
        setattr(LocalGateway, "handle_request", handle_request)  # noqa: B010
        delivery.deliver_due, delivery.deliver_new = deliver_due, deliver_new  # type: ignore[assignment]
        return self

    def uninstall(self) -> None:
        from botocore.client import BaseClient
        from chalice.local import LocalGateway

        from chalicelib.services import delivery

        if self._originals:
            setattr(BaseClient, "_make_api_call", self._originals["call"])  # noqa: B010
            setattr(LocalGateway, "handle_request", self._originals["handle"])  # noqa: B010
            delivery.deliver_due, delivery.deliver_new = self._originals["due"], self._originals["new"]
            self._originals = {}

    def reset(self) -> None:
        with self._lock:
            self.charges, self.invocations, self.calls, self.executions = [], [], [], []

    @contextmanager
    def uncounted(self) -> Iterator[None]:
        self._scope.uncounted = True
        try:
            yield
        finally:
            self._scope.uncounted = False

    @contextmanager
    def _origin(self, origin: str) -> Iterator[None]:
        previous = getattr(self._scope, "origin", "case")
        self._scope.origin = origin
        try:
            yield
        finally:
            self._scope.origin = previous

    @contextmanager
    def _invocation(self, function: str) -> Iterator[None]:
        outer = getattr(self._scope, "aws", None)
        self._scope.aws = [0.0, 0]  # seconds inside AWS calls, calls
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds, (aws_seconds, aws_calls) = time.perf_counter() - started, self._scope.aws
            self._scope.aws = outer
            if outer is not None:  # a nested invocation's time is its caller's wait
                outer[0], outer[1] = outer[0] + seconds, outer[1] + 1
            if getattr(self._scope, "origin", "case") == "case" and not getattr(self._scope, "uncounted", False):
                with self._lock:
                    self.invocations.append(Invocation(function, seconds, aws_seconds, aws_calls))

    # --- metering -----------------------------------------------------------------------------

    def _metered(self, client: Any, operation: str, params: dict[str, Any], call: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._metered_call(client, operation, params, call)
        finally:
            inside = getattr(self._scope, "aws", None)
            if inside is not None:
                inside[0], inside[1] = inside[0] + time.perf_counter() - started, inside[1] + 1

    def _metered_call(self, client: Any, operation: str, params: dict[str, Any], call: Any) -> Any:
        service = client.meta.service_model.service_name
        origin = getattr(self._scope, "origin", "case")
        if service == "lambda" and operation == "Invoke":
            with self._invocation(f"workflow:{params.get('FunctionName', '?').rsplit(':', 1)[-1]}"):
                reply = call()
        elif service == "dynamodb":
            before = self._items_written(operation, params)
            reply = None
            try:
                reply = call()
            finally:
                charges = self._dynamodb(client, operation, params, before, reply)
                for charge in charges:
                    charge.origin = origin
                with self._lock:
                    self.charges.extend(charges)
        else:
            reply = call()
        with self._lock:
            self.calls.append((service, operation, origin))
            if (service, operation) == ("stepfunctions", "StartExecution"):
                self.executions.append(reply["executionArn"])
        return reply

    def _table(self, name: str) -> Any:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[DEFAULT_ACCOUNT_ID][self.region].get_table(name)

    def _stored(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        for _ in range(5):  # moto's server thread may be changing the partition under us
            try:
                found = self._table(table).get_item(DynamoType(key["pk"]), DynamoType(key["sk"]))
                return None if found is None else dict(found.to_json()["Attributes"])
            except RuntimeError:
                continue
        return None

    def _entries(self, table: str, item: dict[str, Any] | None) -> dict[str, tuple[dict[str, Any] | None, tuple[str, ...]]]:
        """Each global index: the item's projected entry (None when it is not in the index) and its key names."""
        from moto.dynamodb.models.dynamo_type import Item

        found: dict[str, tuple[dict[str, Any] | None, tuple[str, ...]]] = {}
        for index in self._table(table).global_indexes:
            names = tuple(index.schema_key_attrs)
            present = item is not None and all(name in item for name in names)
            entry = None
            if present:
                assert item is not None
                hash_key, range_key = item["pk"], item["sk"]
                projected = index.project(Item(_dynamo(hash_key), _dynamo(range_key), item))
                entry = dict(projected.to_json()["Attributes"])
            found[index.name] = (entry, names)
        return found

    def _write_targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
        """(table, kind, key) of every item a write names."""
        if operation in _WRITES:
            key = params["Item"] if operation == "PutItem" else params["Key"]
            return [(params["TableName"], operation, {"pk": key["pk"], "sk": key["sk"]})]
        if operation == "TransactWriteItems":
            targets = []
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                key = body["Item"] if kind == "Put" else body["Key"]
                targets.append((body["TableName"], kind, {"pk": key["pk"], "sk": key["sk"]}))
            return targets
        if operation == "BatchWriteItem":
            return [
                (table, "Put" if "PutRequest" in r else "Delete",
                 {k: (r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])[k] for k in ("pk", "sk")})
                for table, requests in params["RequestItems"].items() for r in requests
            ]
        return []

    def _items_written(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any] | None]]:
        return [(table, kind, key, self._stored(table, key)) for table, kind, key in self._write_targets(operation, params)]

    def _dynamodb(self, client: Any, operation: str, params: dict[str, Any], before: list[Any], reply: Any) -> list[Charge]:
        transactional = operation == "TransactWriteItems"
        charges = []
        for table, kind, key, old in before:
            new = self._stored(table, key)
            old_size = units.item_size(old) if old is not None else None
            new_size = units.item_size(new) if new is not None else None
            charge = Charge("dynamodb", operation, item_type(key), units.write_units(old_size, new_size, transactional=transactional),
                            call_items=len(before))
            if new is not None and new_size is not None and new_size > units.item_size(self.largest.get(charge.item_type, {})):
                self.largest[charge.item_type] = new
            if kind != "ConditionCheck":
                old_entries, new_entries = self._entries(table, old), self._entries(table, new)
                charge.index_write_units = sum(
                    units.index_write_units(old_entries[name][0], entry, key_names=names)
                    for name, (entry, names) in new_entries.items()
                )
            charges.append(charge)
        if operation in _READS and reply is not None:
            stored = self._stored(params["TableName"], params["Key"])
            size = units.item_size(stored) if stored else 0
            charges.append(Charge("dynamodb", operation, item_type(params["Key"]),
                                  read_units=units.read_units(size, consistent=bool(params.get("ConsistentRead")))))
        if operation in ("BatchGetItem", "TransactGetItems") and reply is not None:
            charges.extend(self._keyed_reads(operation, params))
        if operation in ("Query", "Scan") and reply is not None:
            charges.append(self._page(client, operation, params, reply))
        return charges

    def _keyed_reads(self, operation: str, params: dict[str, Any]) -> list[Charge]:
        if operation == "BatchGetItem":
            wanted = [(table, key, bool(request.get("ConsistentRead")))
                      for table, request in params["RequestItems"].items() for key in request["Keys"]]
        else:
            wanted = [(entry["Get"]["TableName"], entry["Get"]["Key"], True) for entry in params["TransactItems"]]
        charges = []
        for table, key, consistent in wanted:
            stored = self._stored(table, key)
            size = units.item_size(stored) if stored else 0
            charges.append(Charge("dynamodb", operation, item_type(key), read_units=units.read_units(
                size, consistent=consistent, transactional=operation == "TransactGetItems")))
        return charges

    def _page(self, client: Any, operation: str, params: dict[str, Any], reply: dict[str, Any]) -> Charge:
        """A page is billed on the items it read, whatever attributes the caller kept: a projected
        request is asked again, uncounted, without its projection."""
        items = reply.get("Items", [])
        if "ProjectionExpression" in params or "AttributesToGet" in params or params.get("Select") == "COUNT":
            whole = {k: v for k, v in params.items() if k not in ("ProjectionExpression", "AttributesToGet", "Select")}
            _drop_unused_names(whole)
            with self.uncounted():
                items = getattr(client, "query" if operation == "Query" else "scan")(**whole).get("Items", [])
        where = params.get("IndexName", "table")
        kind = item_type(items[0]) if items else "(none)"
        return Charge("dynamodb", f"{operation} {where}", kind,
                      read_units=units.query_read_units(map(units.item_size, items), consistent=bool(params.get("ConsistentRead"))))


def _dynamo(value: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def _drop_unused_names(params: dict[str, Any]) -> None:
    """Without its projection a request may name attributes it no longer uses, which DynamoDB refuses."""
    used = set(re.findall(r"#\w+", " ".join(str(params.get(k, "")) for k in ("KeyConditionExpression", "FilterExpression"))))
    names = params.get("ExpressionAttributeNames")
    if names:
        kept = {k: v for k, v in names.items() if k in used}
        if kept:
            params["ExpressionAttributeNames"] = kept
        else:
            params.pop("ExpressionAttributeNames")
