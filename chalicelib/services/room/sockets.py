"""The room's live feed in AWS: API Gateway WebSocket connections of members, and each new message
pushed to every member's connections (ADR 0020).

`$connect` takes the same bearer token as the API, in the `Sec-WebSocket-Protocol` header (a
browser's WebSocket cannot set `Authorization`, and a token in the URL would land in access
logs): the client offers `yunchetong.bearer, <token>` and the reply selects `yunchetong.bearer`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from itertools import groupby

from chalicelib.domain import tokens
from chalicelib.domain.room_message import RoomMessage
from chalicelib.errors import Unauthenticated, ValidationFailed
from chalicelib.integrations.secrets import token_secret
from chalicelib.services.room.members import Member, member_for
from chalicelib.services.room.messages import view
from chalicelib.store import cases, room_connections
from chalicelib.store.room_connections import Connection

SUBPROTOCOL = "yunchetong.bearer"


def _offered_token(headers: Mapping[str, str]) -> str:
    protocol = next((value for name, value in headers.items() if name.lower() == "sec-websocket-protocol"), "")
    offered = [part.strip() for part in protocol.split(",") if part.strip()]
    if len(offered) != 2 or offered[0] != SUBPROTOCOL:
        raise Unauthenticated(f"offer the subprotocols '{SUBPROTOCOL}, <bearer token>'", field="Sec-WebSocket-Protocol")
    return offered[1]


def connect(headers: Mapping[str, str], query: Mapping[str, str], connection_id: str, at: datetime) -> str:
    """Admit a member's connection to its case's room; the subprotocol the reply must select."""
    try:
        principal = tokens.read(_offered_token(headers), token_secret())
    except tokens.InvalidToken as error:
        raise Unauthenticated(str(error), field="Sec-WebSocket-Protocol") from error
    case_id = (query or {}).get("caseId")
    if not case_id:
        raise ValidationFailed("name the case room to join: ?caseId=", field="caseId")
    member = member_for(principal, cases.load(case_id))
    room_connections.record(Connection(case_id, connection_id, member.kind, member.key, member.label), at)
    return SUBPROTOCOL


def disconnect(connection_id: str) -> None:
    room_connections.forget(connection_id)


def push(messages: Iterable[RoomMessage], send: Callable[[str, bytes], bool]) -> dict[str, int]:
    """Each message to every connection of its room, shaped for that connection's member; a
    connection API Gateway reports gone is removed."""
    counts = {"sent": 0, "gone": 0}
    for case_id, of_case in groupby(sorted(messages, key=lambda m: (m.case_id, m.seq)), key=lambda m: m.case_id):
        batch = list(of_case)
        record = cases.load(case_id)
        for connection in room_connections.of_room(case_id):
            reader = Member(connection.member_kind, connection.member_key, connection.member_label)
            for message in batch:
                data = json.dumps({"event": "message", "message": view(message, reader, record).wire()}, ensure_ascii=False)
                if not send(connection.connection_id, data.encode("utf-8")):
                    room_connections.forget(connection.connection_id)
                    counts["gone"] += 1
                    break
                counts["sent"] += 1
    return counts
