"""Text messages to parties: Amazon SNS in AWS, a local outbox box (`GET /local/sms`) locally.

The phone number leaves the system only here, at sending time; nothing upstream stores it
outside the party record.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Protocol

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

LOCAL_KEY = "LOCALSMS"


class SmsSender(Protocol):
    def send(self, phone: str, text: str, case_id: str | None) -> str: ...


class SnsSms:
    def send(self, phone: str, text: str, case_id: str | None) -> str:
        reply = client("sns").publish(
            PhoneNumber=f"+86{phone}",
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(reply["MessageId"])


class LocalSmsBox:
    """What would have been sent, kept a week for the local viewer and tests."""

    def send(self, phone: str, text: str, case_id: str | None) -> str:
        from chalicelib.store.models import LocalSmsItem

        now = datetime.now(UTC)
        message_id = f"sms-{secrets.token_hex(8)}"
        LocalSmsItem(
            pk=LOCAL_KEY,
            sk=f"{now.isoformat(timespec='milliseconds')}#{message_id}",
            message_id=message_id,
            phone=phone,
            text=text,
            at=now.isoformat(timespec="milliseconds"),
            case_id=case_id,
            expires_at=now + timedelta(days=7),
        ).save()
        return message_id


def sender() -> SmsSender:
    return SnsSms() if get_settings().sms_provider == "sns" else LocalSmsBox()


def local_box(limit: int) -> list[dict[str, str | None]]:
    from chalicelib.store.models import LocalSmsItem

    return [
        {"messageId": m.message_id, "phone": m.phone, "text": m.text, "at": m.at, "caseId": m.case_id}
        for m in LocalSmsItem.query(LOCAL_KEY, scan_index_forward=False, limit=limit)
    ]
