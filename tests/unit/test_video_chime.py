"""The Chime SDK provider makes exactly these calls (botocore Stubber, parameters checked
against the service models)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.integrations import video

MEETING_ARN = "arn:aws:chime::111122223333:meeting/m-1"
PIPE = "11111111-2222-3333-4444-555555555555"
CONCAT = "11111111-2222-3333-4444-666666666666"
PIPE_ARN = f"arn:aws:chime:us-east-1:1:media-pipeline/{PIPE}"
PLACEMENT = {"AudioHostUrl": "wss://audio.example", "SignalingUrl": "wss://signal.example"}


@pytest.fixture
def stubs(monkeypatch):
    made = {name: boto3.client(name, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            for name in ("chime-sdk-meetings", "chime-sdk-media-pipelines")}
    monkeypatch.setattr(video, "client", made.__getitem__)
    stubbers = {name: Stubber(c) for name, c in made.items()}
    for stub in stubbers.values():
        stub.activate()
    yield stubbers
    for stub in stubbers.values():
        stub.assert_no_pending_responses()


def test_opening_creates_the_meeting_its_capture_to_the_evidence_bucket_and_the_concatenation(stubs):
    meetings, pipelines = stubs["chime-sdk-meetings"], stubs["chime-sdk-media-pipelines"]
    meetings.add_response("create_meeting", {"Meeting": {"MeetingId": "m-1", "MeetingArn": MEETING_ARN, "MediaRegion": "ap-southeast-1",
                                                         "MediaPlacement": PLACEMENT}},
                          {"ClientRequestToken": "YC1-V1", "MediaRegion": "ap-southeast-1", "ExternalMeetingId": "YC1-V1"})
    sink = "arn:aws:s3:::evidence/video/YC1/V1/"
    pipelines.add_response("create_media_capture_pipeline",
                           {"MediaCapturePipeline": {"MediaPipelineId": PIPE, "MediaPipelineArn": PIPE_ARN}},
                           {"SourceType": "ChimeSdkMeeting", "SourceArn": MEETING_ARN, "SinkType": "S3Bucket", "SinkArn": sink + "capture",
                            "ClientRequestToken": "YC1-V1",
                            "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": {
                                "Audio": {"MuxType": "AudioWithCompositedVideo"}, "Video": {"State": "Disabled"},
                                "Content": {"State": "Disabled"},
                                "CompositedVideo": {"Layout": "GridView", "Resolution": "HD",
                                                    "GridViewConfiguration": {"ContentShareLayout": "PresenterOnly"}}}},
                            "SseAwsKeyManagementParams": {"AwsKmsKeyId": "arn:aws:kms:us-east-1:1:key/k"},
                            "SinkIamRoleArn": "arn:aws:iam::1:role/sink"})
    disabled = {"State": "Disabled"}
    pipelines.add_response("create_media_concatenation_pipeline", {"MediaConcatenationPipeline": {"MediaPipelineId": CONCAT}},
                           {"Sources": [{"Type": "MediaCapturePipeline", "MediaCapturePipelineSourceConfiguration": {
                               "MediaPipelineArn": PIPE_ARN,
                               "ChimeSdkMeetingConfiguration": {"ArtifactsConfiguration": {
                                   "Audio": {"State": "Enabled"}, "CompositedVideo": {"State": "Enabled"}, "Video": disabled,
                                   "Content": disabled, "DataChannel": disabled, "TranscriptionMessages": disabled,
                                   "MeetingEvents": disabled}}}}],
                            "Sinks": [{"Type": "S3Bucket", "S3BucketSinkConfiguration": {"Destination": sink + "recording"}}],
                            "ClientRequestToken": "YC1-V1-joined"})
    chime = video.ChimeVideo("evidence", "ap-southeast-1", "arn:aws:iam::1:role/sink", "arn:aws:kms:us-east-1:1:key/k")
    meeting = chime.open_meeting("YC1-V1", "YC1-V1", video.session_prefix("YC1", "V1"))
    assert (meeting.meeting_id, meeting.capture_id, json.loads(meeting.media_placement)) == ("m-1", PIPE, PLACEMENT)


def test_join_leave_and_end_are_attendee_and_meeting_calls_and_gone_ones_are_ignored(stubs):
    meetings = stubs["chime-sdk-meetings"]
    meetings.add_response("create_attendee", {"Attendee": {"AttendeeId": "a-1", "JoinToken": "t" * 8, "ExternalUserId": "party:P1"}},
                          {"MeetingId": "m-1", "ExternalUserId": "party:P1"})
    meetings.add_response("delete_attendee", {}, {"MeetingId": "m-1", "AttendeeId": "a-1"})
    meetings.add_client_error("delete_meeting", "NotFoundException", http_status_code=404, expected_params={"MeetingId": "m-1"})
    chime = video.ChimeVideo("evidence", "ap-southeast-1", None, None)
    assert chime.join("m-1", "party:P1") == video.Attendee("a-1", "t" * 8)
    chime.leave("m-1", "a-1")
    chime.end("m-1")  # Chime had ended it already


def test_a_recording_key_names_its_case_and_session_and_nothing_else_is_one():
    assert video.recording_of("video/YC1/V2/recording/composited-video/x.mp4") == ("YC1", "V2")
    assert video.recording_of("video/YC1/V2/capture/audio/x.mp4") is None
    assert video.recording_of("evidence/YC1/x.jpg") is None
