"""Video meetings for case rooms: Amazon Chime SDK in AWS, none locally (ADR 0026).

A provider opens a meeting (its recording captured to the evidence bucket under the session's
prefix), lets members join and leave as attendees, and ends it. Locally there is no media
server: `provider()` is None and the service answers 501 with that reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

# Objects under a session's prefix: the capture pipeline's chunks, then the concatenated files
# (one per artifact) the case records as its recording.
CAPTURE, RECORDING = "capture", "recording"
_PREFIX = "video"


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    media_region: str
    media_placement: str  # JSON, as the provider gave it: the client SDK needs it to join
    capture_id: str | None = None


@dataclass(frozen=True)
class Attendee:
    attendee_id: str
    join_token: str  # a credential for this attendee only: handed to the member, never stored or logged


class VideoProvider(Protocol):
    def open_meeting(self, external_id: str, request_token: str, prefix: str) -> Meeting: ...
    def join(self, meeting_id: str, external_user_id: str) -> Attendee: ...
    def leave(self, meeting_id: str, attendee_id: str) -> None: ...
    def end(self, meeting_id: str) -> None: ...


def session_prefix(case_id: str, session_id: str) -> str:
    return f"{_PREFIX}/{case_id}/{session_id}/"


def recording_of(object_key: str) -> tuple[str, str] | None:
    """(case id, session id) of a concatenated recording's object key; None for anything else."""
    parts = object_key.split("/")
    if len(parts) >= 5 and parts[0] == _PREFIX and parts[3] == RECORDING and all(parts[1:3]) and parts[-1]:
        return parts[1], parts[2]
    return None


def _concatenated() -> dict[str, Any]:
    """Concatenate the audio and the composited video; nothing else is captured."""
    disabled = ("Video", "Content", "DataChannel", "TranscriptionMessages", "MeetingEvents")
    return {"Audio": {"State": "Enabled"}, "CompositedVideo": {"State": "Enabled"}, **{name: {"State": "Disabled"} for name in disabled}}


class ChimeVideo:
    """Amazon Chime SDK meetings; capture (composited grid view with audio) to the evidence bucket,
    encrypted with the data key by the sink role, then concatenated into one file per artifact."""

    def __init__(self, bucket: str, media_region: str, sink_role_arn: str | None, kms_key_arn: str | None) -> None:
        self.bucket, self.media_region = bucket, media_region
        self.sink_role_arn, self.kms_key_arn = sink_role_arn, kms_key_arn

    def _sink(self, prefix: str) -> str:
        return f"arn:aws:s3:::{self.bucket}/{prefix}"

    def open_meeting(self, external_id: str, request_token: str, prefix: str) -> Meeting:
        # The same request token returns the same meeting: an open retried after a lost write
        # (or two members opening at once) ends in one meeting.
        meeting = client("chime-sdk-meetings").create_meeting(
            ClientRequestToken=request_token, MediaRegion=self.media_region, ExternalMeetingId=external_id
        )["Meeting"]
        pipelines = client("chime-sdk-media-pipelines")
        encryption: dict[str, Any] = {}
        if self.kms_key_arn and self.sink_role_arn:
            encryption = {"SseAwsKeyManagementParams": {"AwsKmsKeyId": self.kms_key_arn}, "SinkIamRoleArn": self.sink_role_arn}
        capture = pipelines.create_media_capture_pipeline(
            SourceType="ChimeSdkMeeting",
            SourceArn=meeting["MeetingArn"],
            SinkType="S3Bucket",
            SinkArn=self._sink(prefix + CAPTURE),
            ClientRequestToken=request_token,
            ChimeSdkMeetingConfiguration={"ArtifactsConfiguration": {
                "Audio": {"MuxType": "AudioWithCompositedVideo"},
                "Video": {"State": "Disabled"},
                "Content": {"State": "Disabled"},
                "CompositedVideo": {"Layout": "GridView", "Resolution": "HD",
                                    "GridViewConfiguration": {"ContentShareLayout": "PresenterOnly"}},
            }},
            **encryption,
        )["MediaCapturePipeline"]
        pipelines.create_media_concatenation_pipeline(
            Sources=[{"Type": "MediaCapturePipeline", "MediaCapturePipelineSourceConfiguration": {
                "MediaPipelineArn": capture["MediaPipelineArn"],
                "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": _concatenated()},
            }}],
            Sinks=[{"Type": "S3Bucket", "S3BucketSinkConfiguration": {"Destination": self._sink(prefix + RECORDING)}}],
            ClientRequestToken=f"{request_token}-joined",
        )
        return Meeting(meeting["MeetingId"], meeting["MediaRegion"], json.dumps(meeting["MediaPlacement"]), capture["MediaPipelineId"])

    def join(self, meeting_id: str, external_user_id: str) -> Attendee:
        attendee = client("chime-sdk-meetings").create_attendee(MeetingId=meeting_id, ExternalUserId=external_user_id)["Attendee"]
        return Attendee(attendee["AttendeeId"], attendee["JoinToken"])

    def leave(self, meeting_id: str, attendee_id: str) -> None:
        meetings = client("chime-sdk-meetings")
        try:
            meetings.delete_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)
        except meetings.exceptions.NotFoundException:
            pass  # already gone (the meeting ended, or the attendee timed out)

    def end(self, meeting_id: str) -> None:
        meetings = client("chime-sdk-meetings")
        try:
            meetings.delete_meeting(MeetingId=meeting_id)  # stops the capture; the concatenation follows
        except meetings.exceptions.NotFoundException:
            pass  # Chime ends a meeting nobody is in by itself


def provider() -> VideoProvider | None:
    settings = get_settings()
    if settings.video_provider != "chime":
        return None
    return ChimeVideo(settings.evidence_bucket, settings.video_media_region, settings.video_sink_role_arn, settings.video_kms_key_arn)


def placement(media_placement: str) -> dict[str, Any]:
    """The stored placement as the client SDK takes it."""
    return dict(json.loads(media_placement))
