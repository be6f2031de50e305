"""A case room's video sessions, on a partition of their own (`VIDEO#<caseId>`, sort key
`SESSION#<n>`): reading the case never reads them, and the open session is the latest one
(one Query, newest first). Written in the case's transaction like every change (ADR 0026)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.domain.video_session import Attendance, Recording
from chalicelib.store.table import TableItem, TableMeta
from chalicelib.store.typed_attributes import TypedListAttribute

_NO_DIGITS = 6
_SESSION_PREFIX = "V"


class VideoSessionItem(TableItem):
    class Meta(TableMeta):
        pass

    case_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    number = NumberAttribute()
    meeting_id = UnicodeAttribute()
    media_region = UnicodeAttribute()
    media_placement = UnicodeAttribute()  # the provider's JSON, handed to joining clients as is
    capture_id = UnicodeAttribute(null=True)
    opened_at = UnicodeAttribute()
    opened_by = UnicodeAttribute()  # the member's label
    ended_at = UnicodeAttribute(null=True)
    attendances = TypedListAttribute(Attendance, default=list)
    recordings = TypedListAttribute(Recording, default=list)


@dataclass
class VideoSession:
    """The session as services use it (`item` is written back by the case's transaction)."""

    item: VideoSessionItem
    attendances: list[Attendance] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)

    @property
    def session_id(self) -> str:
        return self.item.session_id

    @property
    def is_open(self) -> bool:
        return self.item.ended_at is None


def _key(case_id: str) -> str:
    return f"VIDEO#{case_id}"


def _sort_key(number: int) -> str:
    return f"SESSION#{number:0{_NO_DIGITS}d}"


def session_id(number: int) -> str:
    return f"{_SESSION_PREFIX}{number}"


def _number(session: str) -> int | None:
    digits = session[len(_SESSION_PREFIX):]
    return int(digits) if session.startswith(_SESSION_PREFIX) and digits.isdigit() and len(digits) <= _NO_DIGITS else None


def _of(item: VideoSessionItem) -> VideoSession:
    return VideoSession(item, list(item.attendances), list(item.recordings))


def latest(case_id: str) -> VideoSession | None:
    found = list(VideoSessionItem.query(_key(case_id), VideoSessionItem.sk.startswith("SESSION#"),
                                        scan_index_forward=False, limit=1, consistent_read=True))
    return _of(found[0]) if found else None


def get(case_id: str, session: str) -> VideoSession | None:
    number = _number(session)
    if number is None:
        return None
    try:
        return _of(VideoSessionItem.get(_key(case_id), _sort_key(number), consistent_read=True))
    except VideoSessionItem.DoesNotExist:
        return None


def new_session(case_id: str, number: int, meeting_id: str, media_region: str, media_placement: str,
                capture_id: str | None, at: str, opened_by: str) -> VideoSession:
    return _of(VideoSessionItem(
        pk=_key(case_id), sk=_sort_key(number), case_id=case_id, session_id=session_id(number), number=number,
        meeting_id=meeting_id, media_region=media_region, media_placement=media_placement, capture_id=capture_id,
        opened_at=at, opened_by=opened_by,
    ))


def changed(session: VideoSession) -> VideoSessionItem:
    """The item to write back with the session's lists as they are now."""
    session.item.attendances = session.attendances
    session.item.recordings = session.recordings
    return session.item
