"""Text messages to parties: Amazon SNS in AWS, the local message box (`GET /local/sms`) locally.

The phone number leaves the system only here, at sending time; nothing upstream stores it
outside the party record.
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.integrations import message_box
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings


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


def sender() -> SmsSender:
    return SnsSms() if get_settings().sms_provider == "sns" else message_box.box("sms")


def local_box(limit: int) -> list[dict[str, str | None]]:
    return [
        {"messageId": m.message_id, "phone": m.recipient, "text": m.text, "at": m.at, "caseId": m.case_id}
        for m in message_box.recent("sms", limit)
    ]
