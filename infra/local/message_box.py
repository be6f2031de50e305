"""The local stack's SMS and WeChat stand-ins: what would have been sent, kept a week in the
table (partition `LOCALSMS` or `LOCALWECHAT`, sort key `<at>#<id>`) so it survives a restart.

Registered with `chalicelib.integrations.message_box` when the stack starts (`install`); never
in AWS, where the messages really go out.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute

from chalicelib.integrations import message_box
from chalicelib.integrations.message_box import BoxedMessage
from chalicelib.store.models import TableItem

KEPT = timedelta(days=7)


class LocalMessageItem(TableItem):
    """One message the local stack would have sent (`phone` holds the openid for WeChat)."""

    message_id = UnicodeAttribute()
    phone = UnicodeAttribute()
    text = UnicodeAttribute()
    at = UnicodeAttribute()
    case_id = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class TableMessageBox:
    def __init__(self, partition: str, id_prefix: str) -> None:
        self.partition = partition
        self.id_prefix = id_prefix

    def send(self, recipient: str, text: str, case_id: str | None) -> str:
        now = datetime.now(UTC)
        at = now.isoformat(timespec="milliseconds")
        message_id = f"{self.id_prefix}-{secrets.token_hex(8)}"
        LocalMessageItem(
            pk=self.partition, sk=f"{at}#{message_id}", message_id=message_id, phone=recipient, text=text, at=at,
            case_id=case_id, expires_at=now + KEPT,
        ).save()
        return message_id

    def recent(self, limit: int) -> list[BoxedMessage]:
        return [
            BoxedMessage(message_id=m.message_id, recipient=m.phone, text=m.text, at=m.at, case_id=m.case_id)
            for m in LocalMessageItem.query(self.partition, scan_index_forward=False, limit=limit)
        ]


def install() -> None:
    message_box.register("sms", TableMessageBox("LOCALSMS", "sms"))
    message_box.register("wechat", TableMessageBox("LOCALWECHAT", "wx"))
