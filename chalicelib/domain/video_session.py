"""A case room's video session as a record: who joined and left when, and the recording kept.

Pure: the media itself is the provider's (`integrations/video.py`); this is what the case keeps
of it. Aliases are the camelCase keys the session item stores its lists with.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

# Recordings a session keeps: the provider writes one file per captured artifact (composited
# video and audio), so a session's item stays small whatever the meeting's length.
MAX_RECORDINGS = 8


class _Part(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class Attendance(_Part):
    """One stay of a member in the session: a member who rejoins gets a new attendance."""

    kind: str
    key: str
    label: str
    attendee_id: str
    joined_at: str
    left_at: str | None = None


class Recording(_Part):
    object_key: str
    sha256: str
    size_bytes: int
    duration_seconds: float
    recorded_at: str


def open_attendance(attendances: list[Attendance], kind: str, key: str) -> Attendance | None:
    """The member's current stay in the session, if they are in it."""
    return next((a for a in reversed(attendances) if (a.kind, a.key) == (kind, key) and a.left_at is None), None)


def left(attendances: list[Attendance], kind: str, key: str, at: str) -> list[Attendance]:
    """The attendances with the member's current stay closed at `at` (unchanged if not in it)."""
    current = open_attendance(attendances, kind, key)
    return [a.model_copy(update={"left_at": at}) if a is current else a for a in attendances]


def all_left(attendances: list[Attendance], at: str) -> list[Attendance]:
    """Everyone still in the session leaves when it ends."""
    return [a if a.left_at else a.model_copy(update={"left_at": at}) for a in attendances]


def with_recording(recordings: list[Recording], recording: Recording) -> list[Recording] | None:
    """The recordings with this one added; None when its object is already recorded (a
    re-delivered event) or the session keeps no more."""
    if any(r.object_key == recording.object_key for r in recordings) or len(recordings) >= MAX_RECORDINGS:
        return None
    return [*recordings, recording]
