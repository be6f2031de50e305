"""Text messages to parties: Amazon SNS in AWS, a local outbox box (`GET /local/sms`) locally.

The phone number leaves the system only here, at sending time; nothing upstream stores it
outside the party record.
"""

from __future__ import annotations

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
        from chalicelib.store import local_box

        return local_box.put(LOCAL_KEY, "sms", phone, text, case_id)


def sender() -> SmsSender:
    return SnsSms() if get_settings().sms_provider == "sns" else LocalSmsBox()


def local_box(limit: int) -> list[dict[str, str | None]]:
    from chalicelib.store import local_box

    return [
        {"messageId": m.message_id, "phone": m.phone, "text": m.text, "at": m.at, "caseId": m.case_id}
        for m in local_box.listing(LOCAL_KEY, limit)
    ]
