"""Police portal and audit contracts."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from chalicelib.contracts.common import Contract, Reply


class QueueEntry(Reply):
    case_id: str
    occurred_at: str
    waiting_since: str
    minutes_waited: int
    address: str
    channel: str
    injuries: bool
    party_count: int


class Queue(Reply):
    jurisdiction: str
    cases: list[QueueEntry]
    next_token: str | None = None


class AuditEntryView(Reply):
    seq: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerification(Reply):
    valid: bool
    entries: int
    broken_at: int | None = None
    reason: str | None = None


class AuditLog(Reply):
    case_id: str
    head: str
    entries: list[AuditEntryView]
    verification: AuditVerification


class Partner(Reply):
    code: str
    name: str


class PartnerList(Reply):
    items: list[Partner]


class Hospital(Partner):
    direct_pay: bool  # designated for injury direct pay: a party may apply to be treated there


class HospitalList(Reply):
    items: list[Hospital]


class QueueQuery(Contract):
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class LocalSms(Reply):
    message_id: str
    phone: str
    text: str
    at: str
    case_id: str | None = None


class LocalSmsBox(Reply):
    messages: list[LocalSms]


class SmsQuery(Contract):
    limit: int = Field(default=50, ge=1, le=200)


class LinkReissued(Reply):
    case_id: str
    party_id: str
    link_sent: bool


class JoinCase(Contract):
    """Either the party's case link token (from the SMS link), or the case number, the phone on
    the case and the one-time code texted to it."""

    token: str | None = Field(default=None, min_length=20, max_length=2000)
    case_id: str | None = Field(default=None, max_length=30)
    phone: str | None = Field(default=None, max_length=20)
    code: str | None = Field(default=None, pattern=r"^\d{6}$")

    @model_validator(mode="after")
    def _one_way(self) -> JoinCase:
        if self.token is None and not (self.case_id and self.phone and self.code):
            raise ValueError("give token, or caseId, phone and code")
        return self


class JoinCodeRequest(Contract):
    case_id: str = Field(max_length=30)
    phone: str = Field(max_length=20)


class LocalWeChat(Reply):
    message_id: str
    openid: str
    text: str
    at: str
    case_id: str | None = None


class LocalWeChatBox(Reply):
    messages: list[LocalWeChat]
