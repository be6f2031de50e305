"""The room's live feed, whatever carries it (server-sent events locally, a WebSocket in AWS): a
member is admitted once, then new messages are read by cursor Query and shaped for that member."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.contracts.room import MessageView
from chalicelib.domain.principals import Principal
from chalicelib.domain.room_message import RoomMessage
from chalicelib.services.room.members import Member, member_for
from chalicelib.services.room.messages import view
from chalicelib.store import cases, room
from chalicelib.store.cases import CaseRecord

PAGE = 50


@dataclass
class Feed:
    member: Member
    record: CaseRecord  # read once when the feed opens: the parties' names masked in what follows
    seq: int  # the last message delivered

    @property
    def cursor(self) -> str:
        return room.cursor(self.seq)


def open_feed(principal: Principal, case_id: str, after: str | None) -> Feed:
    """A member's feed from the cursor given, or from now (only messages still to come)."""
    record = cases.load(case_id)
    member = member_for(principal, record)
    start = room.seq_of(after) if after else room.latest_seq(record.case)
    return Feed(member, record, start)


def shaped(feed: Feed, messages: list[RoomMessage]) -> list[MessageView]:
    return [view(message, feed.member, feed.record) for message in messages]


def next_views(feed: Feed) -> list[MessageView]:
    """What arrived since the last call: one Query after the feed's cursor."""
    found, _ = room.after(feed.record.case.case_id, feed.seq, PAGE)
    if found:
        feed.seq = found[-1].seq
    return shaped(feed, found)
