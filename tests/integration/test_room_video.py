"""Case room video sessions: 501 locally with the reason; with an injected provider, sessions
open, members join and leave with times, the police end, recordings are recorded and audited."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.principals import Role
from chalicelib.integrations import video
from chalicelib.services.room import video as sessions
from chalicelib.store import audit
from tests.factories import staff_token
from tests.integration.test_room_members import _token


class FakeVideo:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self._ids = itertools.count(1)

    def open_meeting(self, external_id: str, request_token: str, prefix: str) -> video.Meeting:
        self.calls.append(("open", external_id, prefix))
        return video.Meeting(f"M-{external_id}", "ap-southeast-1", '{"AudioHostUrl": "wss://audio"}', "PIPE1")

    def join(self, meeting_id: str, external_user_id: str) -> video.Attendee:
        self.calls.append(("join", meeting_id, external_user_id))
        return video.Attendee(f"A{next(self._ids)}", "join-token")

    def leave(self, meeting_id: str, attendee_id: str) -> None:
        self.calls.append(("leave", meeting_id, attendee_id))

    def end(self, meeting_id: str) -> None:
        self.calls.append(("end", meeting_id))


@pytest.fixture
def case(api):
    return api.create_case().body


@pytest.fixture
def fake(monkeypatch):
    provider = FakeVideo()
    monkeypatch.setattr(video, "provider", lambda: provider)
    return provider


def _url(case, *rest):
    return "/".join([f"/cases/{case['caseId']}/room/video", *rest])


def test_given_no_media_server_locally_when_a_member_opens_a_session_then_501_with_the_reason(api, case):
    reply = api.call("POST", _url(case), case["parties"][0]["token"])
    assert reply.status == 501, reply.body
    error = reply.body["error"]
    assert error["code"] == "VideoUnavailable" and "音视频服务器" in error["message"] and error["field"] == "video"


def test_given_a_provider_then_open_join_leave_end_are_recorded_with_times_and_audited(api, case, fake):
    me, officer = case["parties"][0]["token"], staff_token("officer")
    opened = api.call("POST", _url(case), me)
    assert opened.status == 200, opened.body
    session_id = opened.body["sessionId"]
    assert api.call("POST", _url(case), officer).body["sessionId"] == session_id  # the open one, not a second
    assert [c for c in fake.calls if c[0] == "open"] == [("open", f"{case['caseId']}-{session_id}",
                                                          f"video/{case['caseId']}/{session_id}/")]
    joined = api.call("POST", _url(case, session_id, "join"), me)
    assert joined.status == 200, joined.body
    assert joined.body["attendee"]["JoinToken"] == "join-token"
    assert joined.body["meeting"]["MediaPlacement"] == {"AudioHostUrl": "wss://audio"}
    party_id = case["parties"][0]["partyId"]
    assert ("join", f"M-{case['caseId']}-{session_id}", f"party:{party_id}") in fake.calls
    assert api.call("POST", _url(case, session_id, "join"), officer).status == 200
    left = api.call("POST", _url(case, session_id, "leave"), me).body
    mine = left["attendances"][0]
    assert (mine["label"], mine["kind"]) == ("甲方", "party") and mine["leftAt"] >= mine["joinedAt"]
    assert left["attendances"][1]["leftAt"] is None
    assert api.call("POST", _url(case, session_id, "end"), me).status == 403  # a party does not end it for everyone
    ended = api.call("POST", _url(case, session_id, "end"), officer).body
    assert ended["endedAt"] and all(a["leftAt"] for a in ended["attendances"])
    assert ("end", f"M-{case['caseId']}-{session_id}") in fake.calls
    assert api.call("POST", _url(case, session_id, "join"), me).status == 409
    actions = [e.action for e in audit.entries(case["caseId"]) if e.action.startswith("VIDEO_")]
    assert actions == ["VIDEO_OPENED", "VIDEO_JOINED", "VIDEO_JOINED", "VIDEO_LEFT", "VIDEO_ENDED"]
    assert "join-token" not in str([e.detail for e in audit.entries(case["caseId"])])
    reopened = api.call("POST", _url(case), officer).body
    assert reopened["sessionId"] != session_id and reopened["attendances"] == []


def test_given_outsiders_then_every_video_route_answers_404(api, case, fake):
    session_id = api.call("POST", _url(case), staff_token("officer")).body["sessionId"]
    outsiders = [api.create_case().body["parties"][0]["token"], _token(Role.INSURER, "CPIC"), _token(Role.HOSPITAL, "YCH01"),
                 staff_token("officer", jurisdiction="320100")]
    for token in outsiders:
        for path in (_url(case), _url(case, session_id, "join"), _url(case, session_id, "leave"), _url(case, session_id, "end")):
            reply = api.call("POST", path, token)
            assert reply.status == 404 and reply.body["error"]["field"] == "caseId", (path, reply.body)
    assert not [c for c in fake.calls if c[0] == "join"]
    assert api.call("POST", _url(case, "V99", "join"), staff_token("officer")).status == 404


def test_given_a_recording_written_then_its_sha256_size_and_duration_are_recorded_once_and_audited(api, case, fake):
    officer = staff_token("officer")
    session_id = api.call("POST", _url(case), officer).body["sessionId"]
    api.call("POST", _url(case, session_id, "end"), officer)
    key = f"video/{case['caseId']}/{session_id}/recording/composited-video/meeting.mp4"
    assert sessions.record_recording(key, "ab" * 32, 1234, 61.5) is True
    assert sessions.record_recording(key, "ab" * 32, 1234, 61.5) is True  # a re-delivered event
    assert sessions.record_recording(f"video/{case['caseId']}/{session_id}/capture/audio/1.mp4", "cd" * 32, 1, None) is False
    seen = api.call("GET", _url(case, session_id), officer).body["recordings"]
    assert [(r["objectKey"], r["sha256"], r["sizeBytes"], r["durationSeconds"]) for r in seen] == [(key, "ab" * 32, 1234, 61.5)]
    recorded = [e for e in audit.entries(case["caseId"]) if e.action == "VIDEO_RECORDED"]
    assert len(recorded) == 1 and recorded[0].detail["sha256"] == "ab" * 32 and recorded[0].detail["objectKey"] == key


def test_given_the_recording_lands_in_the_evidence_bucket_then_the_function_records_its_streamed_sha256(api, case, fake):
    import hashlib

    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings
    from functions.room.handler import recorded
    from infra.local.lambdas import LambdaContext

    officer = staff_token("officer")
    session_id = api.call("POST", _url(case), officer).body["sessionId"]
    ended = api.call("POST", _url(case, session_id, "end"), officer).body
    key = f"video/{case['caseId']}/{session_id}/recording/audio/meeting.mp4"
    media = b"\x00\x00\x00\x18ftypmp42" * 70_000  # about 1 MB: read in chunks
    client("s3").put_object(Bucket=get_settings().evidence_bucket, Key=key, Body=media)
    event = {"detail-type": "Object Created", "detail": {"bucket": {"name": get_settings().evidence_bucket}, "object": {"key": key}}}
    assert recorded(event, LambdaContext(function_name="yunchetong-test-video-recorded")) == {"recorded": 1}
    seen = api.call("GET", _url(case, session_id), officer).body["recordings"][0]
    assert seen["sha256"] == hashlib.sha256(media).hexdigest() and seen["sizeBytes"] == len(media)
    from datetime import datetime

    span = (datetime.fromisoformat(ended["endedAt"]) - datetime.fromisoformat(ended["openedAt"])).total_seconds()
    assert seen["durationSeconds"] == round(span, 3)
    assert [e.detail["sha256"] for e in audit.entries(case["caseId"]) if e.action == "VIDEO_RECORDED"] == [seen["sha256"]]
