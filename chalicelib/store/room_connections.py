"""The WebSocket connections of case rooms (AWS): one item per member connection on the room's
connection list (`ROOMCONN#<caseId>`, sk the connection id), and a pointer `WSCONN#<connectionId>`
because `$disconnect` names only the connection. Both expire after API Gateway's two hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.transactions import TransactWrite

from chalicelib.store.table import TableItem, TableMeta

# API Gateway closes a WebSocket connection after two hours; the items outlive it a little.
KEPT = timedelta(hours=3)


class ConnectionItem(TableItem):
    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    connection_id = UnicodeAttribute()
    member_kind = UnicodeAttribute(null=True)
    member_key = UnicodeAttribute(null=True)
    member_label = UnicodeAttribute(null=True)
    connected_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


@dataclass(frozen=True)
class Connection:
    case_id: str
    connection_id: str
    member_kind: str
    member_key: str
    member_label: str


def _listed(case_id: str, connection_id: str) -> tuple[str, str]:
    return f"ROOMCONN#{case_id}", connection_id


def _pointer(connection_id: str) -> tuple[str, str]:
    return f"WSCONN#{connection_id}", "#WSCONN"


def record(connection: Connection, at: datetime) -> None:
    """The member's connection on its room's list, and the pointer from the connection id."""
    pk, sk = _listed(connection.case_id, connection.connection_id)
    pointer_pk, pointer_sk = _pointer(connection.connection_id)
    common: dict[str, Any] = {"case_id": connection.case_id, "connection_id": connection.connection_id, "expires_at": at + KEPT}
    listed = ConnectionItem(
        pk=pk, sk=sk, member_kind=connection.member_kind, member_key=connection.member_key,
        member_label=connection.member_label, connected_at=at.isoformat(), **common,
    )
    with TransactWrite(connection=ConnectionItem._get_connection().connection) as transaction:
        transaction.save(listed)
        transaction.save(ConnectionItem(pk=pointer_pk, sk=pointer_sk, **common))


def forget(connection_id: str) -> None:
    """Remove a connection (closed, or gone when pushed to); nothing if it is not recorded."""
    try:
        pointer = ConnectionItem.get(*_pointer(connection_id), consistent_read=True)
    except ConnectionItem.DoesNotExist:
        return
    with TransactWrite(connection=ConnectionItem._get_connection().connection) as transaction:
        transaction.delete(ConnectionItem(*_listed(pointer.case_id, connection_id)))
        transaction.delete(pointer)


def of_room(case_id: str) -> list[Connection]:
    return [
        Connection(item.case_id, item.connection_id, item.member_kind or "", item.member_key or "", item.member_label or "")
        for item in ConnectionItem.query(f"ROOMCONN#{case_id}", consistent_read=True)
    ]
