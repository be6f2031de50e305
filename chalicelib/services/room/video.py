"""Video sessions of a case room: opened, joined, left and ended by its members through the
provider, each step in the case's audit chain; the recording's hash and length recorded when
the provider has written it (ADR 0026)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.contracts.video import AttendanceView, JoinInfo, RecordingView, VideoSessionView
from chalicelib.domain import video_session
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.video_session import Attendance, Recording
from chalicelib.errors import Conflict, Forbidden, NotFound, VideoUnavailable
from chalicelib.integrations import video
from chalicelib.services.room.members import MEDIATOR, POLICE_KIND, Member, admit, member_for
from chalicelib.store import cases
from chalicelib.store import video as sessions
from chalicelib.store.cases import CaseRecord, Change, iso, utcnow
from chalicelib.store.video import VideoSession

SYSTEM = Principal(subject="video", role=Role.SYSTEM)
# Who may end a session for everyone: the police and the mediator who run it.
ENDED_BY = (POLICE_KIND, MEDIATOR)
NO_MEDIA_SERVER = "本地环境没有音视频服务器，无法开启视频会话（部署到 AWS 后使用 Amazon Chime SDK）"


def _provider() -> video.VideoProvider:
    found = video.provider()
    if found is None:
        raise VideoUnavailable(NO_MEDIA_SERVER, field="video")
    return found


def _session(case_id: str, session_id: str) -> VideoSession:
    found = sessions.get(case_id, session_id)
    if found is None:
        raise NotFound("no such video session on this case", field="sessionId")
    return found


def _open(session: VideoSession) -> VideoSession:
    if not session.is_open:
        raise Conflict("the video session has ended", field="sessionId")
    return session


def _member(principal: Principal, case_id: str) -> tuple[CaseRecord, Member]:
    record = cases.load(case_id)
    return record, member_for(principal, record)


def open_session(principal: Principal, case_id: str) -> VideoSessionView:
    """The room's open session, or a new one (501 where there is no media server)."""
    record, member = _member(principal, case_id)
    current = sessions.latest(case_id)
    if current is not None and current.is_open:
        return view(current)
    number = (int(current.item.number) if current else 0) + 1
    session_id = sessions.session_id(number)
    meeting = _provider().open_meeting(f"{case_id}-{session_id}", f"{case_id}-{session_id}",
                                       video.session_prefix(case_id, session_id))

    def decide(read: CaseRecord) -> Change | list[Change]:
        latest = sessions.latest(case_id)
        if latest is not None and int(latest.item.number) >= number:
            return []  # opened meanwhile by another member, with the same meeting (same request token)
        session = sessions.new_session(case_id, number, meeting.meeting_id, meeting.media_region, meeting.media_placement,
                                       meeting.capture_id, iso(utcnow()), member.label)
        detail = {"sessionId": session_id, "by": member.label, "meetingId": meeting.meeting_id}
        return Change(action="VIDEO_OPENED", detail=detail, puts=[session.item], result=session)

    applied = cases.mutate(principal, case_id, decide, read=record, may=admit)
    return view(applied.result or _session(case_id, session_id))


def _stay(member: Member, attendee: video.Attendee, at: str) -> Attendance:
    return Attendance(kind=member.kind, key=member.key, label=member.label, attendee_id=attendee.attendee_id, joined_at=at)


def join(principal: Principal, case_id: str, session_id: str) -> JoinInfo:
    """A member joins: a new attendee for them (a second device replaces the first stay)."""
    record, member = _member(principal, case_id)
    session = _open(_session(case_id, session_id))
    external_user_id = f"{member.kind}:{member.key}"[:64]
    attendee = _provider().join(session.item.meeting_id, external_user_id)

    def decide(read: CaseRecord) -> Change:
        now = _open(_session(case_id, session_id))
        at = iso(utcnow())
        now.attendances = [*video_session.left(now.attendances, member.kind, member.key, at), _stay(member, attendee, at)]
        detail = {"sessionId": session_id, "member": member.label, "at": at}
        return Change(action="VIDEO_JOINED", detail=detail, replaces=[(sessions.changed(now), None)], result=now)

    joined = cases.mutate(principal, case_id, decide, read=record, may=admit).result
    meeting = {"MeetingId": session.item.meeting_id, "MediaRegion": session.item.media_region,
               "MediaPlacement": video.placement(session.item.media_placement)}
    return JoinInfo(session=view(joined), meeting=meeting,
                    attendee={"AttendeeId": attendee.attendee_id, "ExternalUserId": external_user_id, "JoinToken": attendee.join_token})


def leave(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    record, member = _member(principal, case_id)
    _session(case_id, session_id)
    stay: list[Attendance] = []

    def decide(read: CaseRecord) -> Change | list[Change]:
        now = _session(case_id, session_id)
        current = video_session.open_attendance(now.attendances, member.kind, member.key)
        if current is None:
            return []  # not in it (left already, or the session ended): nothing to record
        stay[:] = [current]
        at = iso(utcnow())
        now.attendances = video_session.left(now.attendances, member.kind, member.key, at)
        detail = {"sessionId": session_id, "member": member.label, "at": at}
        return Change(action="VIDEO_LEFT", detail=detail, replaces=[(sessions.changed(now), None)], result=now)

    left = cases.mutate(principal, case_id, decide, read=record, may=admit).result
    if stay and (provider := video.provider()) is not None:
        provider.leave(_session(case_id, session_id).item.meeting_id, stay[0].attendee_id)
    return view(left or _session(case_id, session_id))


def end(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    """The police or the mediator end the session for everyone (the recording then completes)."""
    record, member = _member(principal, case_id)
    if member.kind not in ENDED_BY:
        raise Forbidden("only the police or the mediator end a video session", field="sessionId")
    _session(case_id, session_id)

    def decide(read: CaseRecord) -> Change | list[Change]:
        now = _session(case_id, session_id)
        if not now.is_open:
            return []
        at = iso(utcnow())
        now.item.ended_at = at
        now.attendances = video_session.all_left(now.attendances, at)
        detail = {"sessionId": session_id, "by": member.label, "at": at}
        return Change(action="VIDEO_ENDED", detail=detail, replaces=[(sessions.changed(now), None)], result=now)

    ended = cases.mutate(principal, case_id, decide, read=record, may=admit).result
    if ended is not None and (provider := video.provider()) is not None:
        provider.end(ended.item.meeting_id)
    return view(ended or _session(case_id, session_id))


def _span_seconds(session: VideoSession, until: str) -> float:
    """The captured span: the capture runs from the meeting's opening to its end."""
    end_at = datetime.fromisoformat(session.item.ended_at or until)
    return max(0.0, (end_at - datetime.fromisoformat(session.item.opened_at)).total_seconds())


def record_recording(object_key: str, sha256: str, size_bytes: int, duration_seconds: float | None) -> bool:
    """Record a recording file the provider wrote (its SHA-256, size and length) on its session,
    in the case's audit chain; False if the key is no session's recording. A re-delivered event
    records nothing twice."""
    owner = video.recording_of(object_key)
    if owner is None:
        return False
    case_id, session_id = owner

    def decide(read: CaseRecord) -> Change | list[Change]:
        now = _session(case_id, session_id)
        at = iso(utcnow())
        duration = duration_seconds if duration_seconds is not None else _span_seconds(now, at)
        recording = Recording(object_key=object_key, sha256=sha256, size_bytes=size_bytes,
                              duration_seconds=round(duration, 3), recorded_at=at)
        recordings = video_session.with_recording(now.recordings, recording)
        if recordings is None:
            return []
        now.recordings = recordings
        detail = {"sessionId": session_id, "objectKey": object_key, "sha256": sha256, "sizeBytes": size_bytes,
                  "durationSeconds": recording.duration_seconds}
        return Change(action="VIDEO_RECORDED", detail=detail, replaces=[(sessions.changed(now), None)], result=now)

    cases.mutate(SYSTEM, case_id, decide)
    return True


def current(principal: Principal, case_id: str, session_id: str) -> VideoSessionView:
    _member(principal, case_id)
    return view(_session(case_id, session_id))


def view(session: VideoSession) -> VideoSessionView:
    return VideoSessionView(
        session_id=session.session_id,
        opened_at=session.item.opened_at,
        opened_by=session.item.opened_by,
        ended_at=session.item.ended_at,
        attendances=[AttendanceView(kind=a.kind, label=a.label, joined_at=a.joined_at, left_at=a.left_at) for a in session.attendances],
        recordings=[RecordingView(**r.model_dump()) for r in session.recordings],
    )
