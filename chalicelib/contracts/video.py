"""Case room video: a session as members see it, and what a member needs to join it."""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.common import Reply


class AttendanceView(Reply):
    kind: str
    label: str
    joined_at: str
    left_at: str | None = None


class RecordingView(Reply):
    object_key: str
    sha256: str
    size_bytes: int
    duration_seconds: float
    recorded_at: str


class VideoSessionView(Reply):
    session_id: str
    opened_at: str
    opened_by: str
    ended_at: str | None = None
    attendances: list[AttendanceView]
    recordings: list[RecordingView]


class JoinInfo(Reply):
    """What the Chime SDK client needs to join (the join token is this attendee's own credential)."""

    session: VideoSessionView
    meeting: dict[str, Any]  # MeetingId, MediaRegion, MediaPlacement
    attendee: dict[str, str]  # AttendeeId, ExternalUserId, JoinToken
