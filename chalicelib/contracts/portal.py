"""Police portal and audit contracts."""

from __future__ import annotations

from typing import Any

from pydantic import Field

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
    token: str = Field(min_length=20, max_length=2000, description="the party's case link token (from the SMS link)")


class LocalWeChat(Reply):
    message_id: str
    openid: str
    text: str
    at: str
    case_id: str | None = None


class LocalWeChatBox(Reply):
    messages: list[LocalWeChat]
