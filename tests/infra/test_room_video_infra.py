"""Case room video in AWS (`infra/cdk/room_video.py`): the API's Chime SDK permissions and
environment, the media pipelines' access to the evidence bucket's video prefix, and the
recording function on its EventBridge rule."""

from __future__ import annotations

import json

from tests.infra.cdk_template import (
    Synth,
    as_list,
    evidence_bucket,
    granted,
    logical_id_of,
    policy_statements,
    resource_of,
    resources_of,
)
from tests.infra.test_room_live_infra import _handler_exists


def test_the_api_may_open_meetings_and_pipelines_and_pass_only_the_sink_role_to_chime(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.api.role)
    statements = policy_statements(role)
    for action in ("chime:CreateMeeting", "chime:CreateAttendee", "chime:DeleteAttendee", "chime:DeleteMeeting",
                   "chime:CreateMediaCapturePipeline", "chime:CreateMediaConcatenationPipeline"):
        assert granted(statements, action), action
    passing = [s for s in statements if "iam:PassRole" in as_list(s["Action"])]
    assert len(passing) == 1 and logical_id_of(synth, synth.stack.room_video.sink_role) in json.dumps(passing[0]["Resource"])
    assert passing[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "mediapipelines.chime.amazonaws.com"}}
    _, handler = next((k, v) for k, v in resources_of(synth, "AWS::Serverless::Function").items())
    assert handler["Properties"]["Environment"]["Variables"]["VIDEO_PROVIDER"] == "chime"


def test_the_evidence_bucket_admits_the_media_pipelines_to_the_video_prefix_of_this_account_only(synth: Synth) -> None:
    bucket_id, bucket = evidence_bucket(synth)
    assert bucket["Properties"]["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    policy = next(p for p in resources_of(synth, "AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket_id})
    chime = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s.get("Sid") == "ChimeMediaPipelinesWriteRecordings"]
    assert len(chime) == 1 and chime[0]["Principal"] == {"Service": "mediapipelines.chime.amazonaws.com"}
    assert "/video/*" in json.dumps(chime[0]["Resource"]) and "aws:SourceAccount" in chime[0]["Condition"]["StringEquals"]


def test_the_recording_function_runs_on_object_created_under_the_recording_prefix_and_only_reads_it(synth: Synth) -> None:
    function_id, function = resource_of(synth, synth.stack.room_video.recorder)
    assert function["Properties"]["Handler"] == "functions.room.handler.recorded"
    assert _handler_exists("functions.room.handler.recorded")
    _, rule = resource_of(synth, synth.stack.room_video.rule)
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"]["key"] == [{"wildcard": "video/*/*/recording/*"}]
    assert function_id in json.dumps(rule["Properties"]["Targets"])
    _, role = resource_of(synth, synth.stack.room_video.recorder_role)
    statements = policy_statements(role)
    assert granted(statements, "s3:GetObject") and not granted(statements, "s3:PutObject") and not granted(statements, "s3:DeleteObject")
    assert granted(statements, "dynamodb:Scan") == []
