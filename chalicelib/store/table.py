"""The single table itself: its name, key schema and indexes, and the base every item model extends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.settings import get_settings


class _TableMeta(type):
    @property
    def table_name(cls) -> str:
        return get_settings().table_name


class TableMeta(metaclass=_TableMeta):
    # None (not "") so that botocore follows AWS_ENDPOINT_URL to the local stack.
    host = None
    billing_mode = "PAY_PER_REQUEST"


class _IndexMeta:
    billing_mode = "PAY_PER_REQUEST"


# Each index carries its keys, the table's keys and only the attributes its readers use (ADR 0040):
# an item's index entry is rewritten only when one of those changes, not on every write of the item.
# Readers that need whole items read them from the table by key (`store/index_reads.py`): the outbox's
# pending messages, the rescue queue, alerts and due orders, the fund's queue and escalations, a
# service point's appointments, the insurer clock's claims.
GSI1_ATTRIBUTES = (
    # the officer's queue (services/portal.py) and the mediation sweeper (services/mediation.py)
    "case_id", "occurred_at", "status_since", "location", "channel", "injuries", "party_count", "mediation",
    # the nearest standby trucks (store/fleet.py `standby_in`)
    "truck_id", "lat", "lng",
)
GSI2_ATTRIBUTES = (
    "case_id",  # a unit's cases of a day (report rebuild), a WeChat user's cases
    # a city's fleet (services/rescue/driver.py `trucks`: the TruckView fields)
    "truck_id", "plate", "company", "status", "status_since", "lat", "lng", "position_at", "order_id",
)
GSI3_ATTRIBUTES = ("case_id",)  # the cases whose deadlines wait for a year's calendar (store/calendar.py)


class Gsi1(GlobalSecondaryIndex):  # type: ignore[type-arg]
    class Meta(_IndexMeta):
        index_name = "gsi1"
        projection = IncludeProjection(list(GSI1_ATTRIBUTES))

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):  # type: ignore[type-arg]
    class Meta(_IndexMeta):
        index_name = "gsi2"
        projection = IncludeProjection(list(GSI2_ATTRIBUTES))

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex):  # type: ignore[type-arg]
    class Meta(_IndexMeta):
        index_name = "gsi3"
        projection = IncludeProjection(list(GSI3_ATTRIBUTES))

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    class Meta(TableMeta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # PynamoDB reuses a connection found on the class, inherited ones included, when it names
        # the same table; a model imported after the base connected would then query with the
        # base's schema and "have no index". Each model starts without one and builds its own.
        cls._connection = None

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # Each model's connection keeps its own schema but sends through one botocore client, made
        # from the process's one session: PynamoDB would make a session and a client per model,
        # each loading the service model again and opening its own pool (ADR 0039).
        connection = super()._get_connection()
        if connection.connection._client is None:
            connection.connection._client = _dynamodb_client(connection.connection)
        return connection


class TableDefinition(TableItem):
    """The table with every index: used to create it locally and by the CDK stack."""

    class Meta(TableMeta):
        pass

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    expires_at = TTLAttribute(null=True)


def table_spec() -> dict[str, Any]:
    """Key schema and indexes of the table, derived from the models, for infrastructure code."""
    schema = TableDefinition._get_schema()
    keys = {k["KeyType"]: k["AttributeName"] for k in schema["key_schema"]}
    indexes = []
    for index in schema["global_secondary_indexes"]:
        index_keys = {k["KeyType"]: k["AttributeName"] for k in index["key_schema"]}
        indexes.append(
            {"name": index["index_name"], "partition_key": index_keys["HASH"], "sort_key": index_keys["RANGE"],
             "projected": list(index["projection"].get("NonKeyAttributes", []))}
        )
    return {
        "partition_key": keys["HASH"],
        "sort_key": keys["RANGE"],
        "indexes": indexes,
        "ttl_attribute": TableDefinition.expires_at.attr_name,
    }


_shared_client: list[Any] = []  # the DynamoDB client every model's connection sends through


def _dynamodb_client(first: Connection) -> Any:
    if not _shared_client:
        from chalicelib.integrations.aws import botocore_session

        first._local.session = botocore_session()  # PynamoDB's client settings, our session
        _shared_client.append(first.client)
    return _shared_client[0]


def item_models() -> Iterator[type[TableItem]]:
    """The base and every item model derived from it (each keeps a connection of its own)."""
    pending: list[type[TableItem]] = [TableItem]
    seen: set[type[TableItem]] = set()
    while pending:
        model = pending.pop()
        if model not in seen:
            seen.add(model)
            yield model
            pending.extend(model.__subclasses__())


def reset_connections() -> None:
    """Drop cached connections (tests switch endpoints between runs)."""
    _shared_client.clear()
    for model in item_models():
        model._connection = None
