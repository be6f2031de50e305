"""A case room's messages, on a partition of their own (`ROOM#<caseId>`, sort key `MSG#<seq>`),
so reading the case never reads its room, and a page of the room is one Query by cursor.

A message is written in its case's transaction (with its audit entry): the case item's
`room_seq` numbers it, so the case version orders the room as it orders the audit chain, and
an `Idempotency-Key` is remembered in the same transaction (ADR 0002, ADR 0020).
"""

from __future__ import annotations

import base64
from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.domain.principals import Principal
from chalicelib.domain.room_message import MessageKind, RoomMessage, Sender
from chalicelib.errors import IdempotencyKeyReused, ValidationFailed
from chalicelib.store.models import CaseItem, IdempotencyItem
from chalicelib.store.table import TableItem, TableMeta

_SEQ_DIGITS = 10
_CURSOR_PREFIX = "m1:"


class MessageItem(TableItem):
    """One message of a case room (pk `ROOM#<caseId>`, sk `MSG#<seq>`); never changed once written."""

    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    seq = NumberAttribute()
    at = UnicodeAttribute()
    sender_kind = UnicodeAttribute()
    sender_key = UnicodeAttribute()
    sender_label = UnicodeAttribute()
    sender_role = UnicodeAttribute()
    kind = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    evidence_id = UnicodeAttribute(null=True)
    document_id = UnicodeAttribute(null=True)


def room_key(case_id: str) -> str:
    return f"ROOM#{case_id}"


def _message_key(seq: int) -> str:
    return f"MSG#{seq:0{_SEQ_DIGITS}d}"


def is_message_key(pk: str) -> bool:
    """Whether a table key (from a stream record) is a room message's."""
    return pk.startswith("ROOM#")


def latest_seq(case: CaseItem) -> int:
    return int(case.room_seq or 0)


def new_message(case: CaseItem, message: RoomMessage) -> MessageItem:
    """The item of the room's next message; moves the case's count (saved in the same transaction)."""
    case.room_seq = message.seq
    return MessageItem(
        pk=room_key(message.case_id),
        sk=_message_key(message.seq),
        case_id=message.case_id,
        seq=message.seq,
        at=message.at,
        sender_kind=message.sender.kind,
        sender_key=message.sender.key,
        sender_label=message.sender.label,
        sender_role=message.sender.role,
        kind=message.kind.value,
        text=message.text,
        evidence_id=message.evidence_id,
        document_id=message.document_id,
    )


def message_of(item: MessageItem) -> RoomMessage:
    return RoomMessage(
        case_id=item.case_id,
        seq=int(item.seq),
        at=item.at,
        sender=Sender(item.sender_kind, item.sender_key, item.sender_label, item.sender_role),
        kind=MessageKind(item.kind),
        text=item.text,
        evidence_id=item.evidence_id,
        document_id=item.document_id,
    )


def message_from_image(image: dict) -> RoomMessage:
    """A message from a stream record's new image (DynamoDB JSON)."""
    return message_of(MessageItem.from_raw_data(image))


def get(case_id: str, seq: int) -> RoomMessage | None:
    try:
        return message_of(MessageItem.get(room_key(case_id), _message_key(seq), consistent_read=True))
    except MessageItem.DoesNotExist:
        return None


def after(case_id: str, seq: int, limit: int) -> tuple[list[RoomMessage], bool]:
    """Up to `limit` messages numbered after `seq`, oldest first, and whether more follow."""
    found = MessageItem.query(
        room_key(case_id),
        MessageItem.sk.between(_message_key(seq + 1), _message_key(10**_SEQ_DIGITS - 1)),
        consistent_read=True,
        limit=limit + 1,
    )
    messages = [message_of(item) for item in found]
    return messages[:limit], len(messages) > limit


# --- cursors: opaque to clients, a message number to us -------------------------------------------


def cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def seq_of(token: str | None, field: str = "after") -> int:
    """The message number a cursor points after (0: the room's start)."""
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if text.startswith(_CURSOR_PREFIX) and text[len(_CURSOR_PREFIX):].isdigit():
            return int(text[len(_CURSOR_PREFIX):])
    except (ValueError, UnicodeDecodeError):
        pass
    raise ValidationFailed("is not a cursor this API issued", field=field)


# --- idempotency of a post: remembered in the post's own transaction ------------------------------


def _remembered_key(principal: Principal, case_id: str, key: str) -> str:
    return f"IDEMPOTENCY#{principal.role.value}:{principal.subject}#ROOM#{case_id}#{key}"


def remembered(principal: Principal, case_id: str, key: str, fingerprint: str) -> int | None:
    """The message a previous post with this key stored (the same body is required), if any."""
    try:
        item = IdempotencyItem.get(_remembered_key(principal, case_id, key), "#IDEMPOTENCY", consistent_read=True)
    except IdempotencyItem.DoesNotExist:
        return None
    if item.request_hash != fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request body", field="Idempotency-Key")
    return int(item.result_id)


def remember(principal: Principal, case_id: str, key: str, fingerprint: str, seq: int, until: datetime) -> IdempotencyItem:
    return IdempotencyItem(
        pk=_remembered_key(principal, case_id, key),
        sk="#IDEMPOTENCY",
        result_id=str(seq),
        request_hash=fingerprint,
        expires_at=until,
    )
