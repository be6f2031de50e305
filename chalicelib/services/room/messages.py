"""Messages of a case room: posted in the case's transaction (audit entry, order, idempotency),
read a page at a time by cursor, each member reading other people's personal data masked."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib.contracts.room import MessagePage, MessageView, PostMessage, SenderView
from chalicelib.domain import room_message
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.room_message import MessageKind, RoomMessage, Sender
from chalicelib.errors import NotFound
from chalicelib.services import notices
from chalicelib.services.room.members import POLICE_KIND, SYSTEM_MEMBER, Member, admit, member_for
from chalicelib.settings import get_settings
from chalicelib.store import cases, room
from chalicelib.store.cases import CaseRecord, Change, iso, request_fingerprint, utcnow

ACTION = "ROOM_MESSAGE"
# A write re-reads the case when another write got in first; each post of the room can make
# another lose once, so this many posts at the same moment all get through.
CONCURRENT_POSTS = 64
SYSTEM = Principal(subject="room", role=Role.SYSTEM)


def _checked_reference(record: CaseRecord, body: PostMessage) -> None:
    """Evidence and documents are shown in the room only if they are the case's own."""
    if body.evidence_id is not None and record.evidence_item(body.evidence_id) is None:
        raise NotFound("no such evidence on this case", field="evidenceId")
    if body.document_id is not None and record.document(body.document_id) is None:
        raise NotFound("no such document on this case", field="documentId")


def _kind(body: PostMessage) -> MessageKind:
    if body.evidence_id is not None:
        return MessageKind.EVIDENCE
    if body.document_id is not None:
        return MessageKind.DOCUMENT
    return MessageKind.TEXT


def _content_hash(message: RoomMessage) -> str:
    """What the audit entry records of the message: its hash, so the chain covers what was said
    without copying personal data into the log."""
    content = "\x1f".join((str(message.seq), message.kind.value, message.text or "", message.evidence_id or "", message.document_id or ""))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _change(record: CaseRecord, message: RoomMessage, extra: list[Any]) -> Change:
    item = room.new_message(record.case, message)
    detail = {"seq": message.seq, "kind": message.kind.value, "sender": message.sender.label, "sha256": _content_hash(message)}
    return Change(action=ACTION, detail=detail, puts=[item, *extra], result=message)


class _Post:
    """The decision of a post, re-made on each attempt: a retried key finds what it stored before."""

    def __init__(self, principal: Principal, member: Member, body: PostMessage, key: str | None) -> None:
        self.principal, self.member, self.body, self.key = principal, member, body, key
        self.fingerprint = request_fingerprint(body.wire())
        self.replayed: RoomMessage | None = None

    def __call__(self, record: CaseRecord) -> Change | list[Change]:
        case_id = record.case.case_id
        if self.key is not None and (seq := room.remembered(self.principal, case_id, self.key, self.fingerprint)) is not None:
            self.replayed = room.get(case_id, seq)
            return []
        _checked_reference(record, self.body)
        at = utcnow()
        message = RoomMessage(
            case_id=case_id,
            seq=room.latest_seq(record.case) + 1,
            at=iso(at),
            sender=Sender(self.member.kind, self.member.key, self.member.label, self.principal.role.value),
            kind=_kind(self.body),
            text=self.body.text,
            evidence_id=self.body.evidence_id,
            document_id=self.body.document_id,
        )
        extra = []
        if self.key is not None:
            until = at + timedelta(hours=get_settings().idempotency_hours)
            extra.append(room.remember(self.principal, case_id, self.key, self.fingerprint, message.seq, until))
        return _change(record, message, extra)


def post(principal: Principal, case_id: str, body: PostMessage, idempotency_key: str | None) -> MessageView:
    """Post to the room; a retried post with the same key answers the message stored the first time."""
    record = cases.load(case_id)
    member = member_for(principal, record)
    decide = _Post(principal, member, body, idempotency_key)
    applied = cases.mutate(principal, case_id, decide, read=record, may=admit, attempts=CONCURRENT_POSTS)
    message = applied.result if applied.result is not None else decide.replayed
    if message is None:  # the key's message is always written with it; never expected
        raise NotFound("the message this Idempotency-Key stored is gone", field="Idempotency-Key")
    return view(message, member, applied.record)


def post_system(case_id: str, text: str, at: str) -> None:
    """A message the platform posts on its own, in its own case transaction and audit entry."""
    body = PostMessage(text=text)
    cases.mutate(SYSTEM, case_id, lambda record: system_change(record, body.text or "", at), attempts=CONCURRENT_POSTS)


def system_change(record: CaseRecord, text: str, at: str, document_id: str | None = None) -> Change:
    """A platform message as one more change of the caller's case transaction (the dispute's steps):
    it is shown if and only if the step is written, numbered by the same case version. The callers
    put it first: the step stays the last audit entry and its result is what `mutate` returns."""
    sender = Sender(SYSTEM_MEMBER.kind, SYSTEM_MEMBER.key, SYSTEM_MEMBER.label, Role.SYSTEM.value)
    message = RoomMessage(record.case.case_id, room.latest_seq(record.case) + 1, at, sender, MessageKind.SYSTEM, text=text,
                          document_id=document_id)
    change = _change(record, message, [])
    change.result = None
    return change


def announce(record: CaseRecord, step: str, at: str, document_id: str | None = None, **fields: Any) -> Change:
    """A step of the case shown in its room, in the wording of `notices` (`room.<step>`)."""
    return system_change(record, notices.text(f"room.{step}", **fields), at, document_id)


def page(principal: Principal, case_id: str, after: str | None, limit: int) -> MessagePage:
    """Messages after the cursor, oldest first: one Query on the room's partition."""
    start = room.seq_of(after)
    record = cases.load(case_id)
    member = member_for(principal, record)
    found, more = room.after(case_id, start, limit)
    views = [view(message, member, record) for message in found]
    return MessagePage(messages=views, cursor=views[-1].cursor if views else room.cursor(start), more=more)


def view(message: RoomMessage, reader: Member, record: CaseRecord) -> MessageView:
    """The message as `reader` sees it: the police and the sender as written, everyone else with
    personal data masked (the names of parties other than the reader among it)."""
    mine = (message.sender.kind, message.sender.key) == (reader.kind, reader.key)
    text = message.text
    if text is not None and not mine and reader.kind != POLICE_KIND:
        own_party = reader.key if reader.kind == "party" else None
        text = room_message.masked_text(text, [p.name for p in record.parties if p.party_id != own_party])
    return MessageView(
        cursor=room.cursor(message.seq),
        seq=message.seq,
        at=message.at,
        kind=message.kind.value,
        sender=SenderView(kind=message.sender.kind, label=message.sender.label, role=message.sender.role, me=mine),
        text=text,
        evidence_id=message.evidence_id,
        document_id=message.document_id,
    )
