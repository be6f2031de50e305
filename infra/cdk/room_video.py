"""`RoomVideo`: case room video in AWS (ADR 0026). The API opens Amazon Chime SDK meetings and
their media pipelines; the pipelines write the recording to the evidence bucket under `video/`
(the bucket's policy admits the Chime media pipelines service there only, for this account, and
a sink role encrypts with the data key); an EventBridge rule on the recording's "Object Created"
runs a function that hashes it (streamed) and records it on its session."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.integrations.video import RECORDING
from infra.cdk.api import API_HANDLER, Api
from infra.cdk.common import Capability, acknowledge, log_group, nag_resource
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import Storage

PIPELINES_SERVICE = "mediapipelines.chime.amazonaws.com"
VIDEO_OBJECTS = "video/*"
RECORDINGS = f"video/*/*/{RECORDING}/*"
MEETING_ACTIONS = ["chime:CreateMeeting", "chime:DeleteMeeting", "chime:CreateAttendee", "chime:DeleteAttendee"]
PIPELINE_ACTIONS = ["chime:CreateMediaCapturePipeline", "chime:CreateMediaConcatenationPipeline"]


class RoomVideo(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, compute: Compute, api: Api,
                 media_region: str = "ap-southeast-1") -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.sink_role = self._sink_role(storage)
        self._admit_pipelines(storage.evidence)
        self._grant_api(api.role)
        handler = api.app.get_resource(API_HANDLER)
        for name, value in {"VIDEO_PROVIDER": "chime", "VIDEO_MEDIA_REGION": media_region,
                            "VIDEO_SINK_ROLE_ARN": self.sink_role.role_arn, "VIDEO_KMS_KEY_ARN": storage.data_key.key_arn}.items():
            handler.add_property_override(f"Environment.Variables.{name}", value)
        # S3 sends the bucket's object events to EventBridge (no notification custom resource).
        bucket = storage.evidence.node.default_child
        bucket.add_property_override("NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled", True)  # type: ignore[union-attr]
        self.log_group = log_group(self, "RoomVideoLogs")
        self.recorder_role = self._recorder_role(storage)
        self.recorder = compute.function(
            self, "VideoRecorded", description="record a case room video recording's SHA-256 on its session",
            handler="functions.room.handler.recorded", role=self.recorder_role,
            environment={**compute.base_environment, **storage.bucket_environment},
            timeout=Duration.minutes(10), memory_size=1024,  # a meeting's recording is read whole, streamed
        )
        self.rule = events.Rule(
            self, "VideoRecordedRule", description=self.describe("a case room video recording written to the evidence bucket"),
            event_pattern=events.EventPattern(
                source=["aws.s3"], detail_type=["Object Created"],
                detail={"bucket": {"name": [storage.evidence.bucket_name]}, "object": {"key": [{"wildcard": RECORDINGS}]}},
            ),
            targets=[events_targets.LambdaFunction(self.recorder, retry_attempts=4, max_event_age=Duration.hours(6))],
        )

    def _sink_role(self, storage: Storage) -> iam.Role:
        """The role the media pipelines assume to write the recording encrypted with the data key."""
        objects = storage.evidence.arn_for_objects(VIDEO_OBJECTS)
        writing = iam.PolicyDocument(statements=[
            iam.PolicyStatement(sid="WriteRecordings", actions=["s3:PutObject"], resources=[objects]),
            iam.PolicyStatement(sid="EncryptRecordings", actions=["kms:GenerateDataKey", "kms:Decrypt"],
                                resources=[storage.data_key.key_arn]),
        ])
        role = iam.Role(self, "VideoSinkRole", assumed_by=iam.ServicePrincipal(PIPELINES_SERVICE),
                        description=self.describe("Chime SDK media pipelines writing case room recordings"),
                        inline_policies={"video-sink": writing})
        acknowledge(role, f"AwsSolutions-IAM5[Resource::{nag_resource(role, objects)}]",
                    "Recording keys are video/<case>/<session>/..., chosen by the pipeline per meeting; "
                    "PutObject only, on this bucket's video/ prefix only.")
        return role

    def _admit_pipelines(self, bucket: s3.Bucket) -> None:
        stack = Stack.of(self)
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="ChimeMediaPipelinesWriteRecordings",
            principals=[iam.ServicePrincipal(PIPELINES_SERVICE)],
            actions=["s3:PutObject", "s3:PutObjectAcl"],
            resources=[bucket.arn_for_objects(VIDEO_OBJECTS)],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account},
                        "ArnLike": {"aws:SourceArn": stack.format_arn(service="chime", resource="media-pipeline", resource_name="*",
                                                                      arn_format=ArnFormat.SLASH_RESOURCE_NAME)}},
        ))

    def _grant_api(self, role: FunctionRole) -> None:
        stack = Stack.of(self)
        meetings, pipelines = (stack.format_arn(service="chime", resource=kind, resource_name="*", arn_format=ArnFormat.SLASH_RESOURCE_NAME)
                               for kind in ("meeting", "media-pipeline"))
        role.allow(
            iam.PolicyStatement(sid="VideoMeetings", actions=MEETING_ACTIONS, resources=[meetings]),
            iam.PolicyStatement(sid="VideoPipelines", actions=PIPELINE_ACTIONS, resources=[pipelines, meetings]),
            iam.PolicyStatement(sid="VideoSinkRole", actions=["iam:PassRole"], resources=[self.sink_role.role_arn],
                                conditions={"StringEquals": {"iam:PassedToService": PIPELINES_SERVICE}}),
        )
        for arn, what in ((meetings, "A meeting id is chosen by Chime when the API opens a session"),
                          (pipelines, "A media pipeline id is chosen by Chime when the API starts the capture")):
            role.accept_wildcard(arn, f"{what}; these actions only, in this account and region.")

    def _recorder_role(self, storage: Storage) -> FunctionRole:
        """Read the recording (streamed) and write it on its session in the case's transaction."""
        role = FunctionRole(self, "VideoRecorderRole", purpose="execution role of the video recording function",
                            policy_name="video-recorded", log_group=self.log_group)
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                  "dynamodb:ConditionCheckItem")
        storage.grant_table_key(role)
        recordings = storage.evidence.arn_for_objects(RECORDINGS)
        role.allow(iam.PolicyStatement(sid="ReadRecordings", actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[recordings]),
                   iam.PolicyStatement(sid="EvidenceList", actions=["s3:ListBucket"], resources=[storage.evidence.bucket_arn]))
        role.accept_wildcard(recordings, "Recording keys are video/<case>/<session>/recording/..., written by the media "
                                         "pipeline; read only.")
        storage.grant_data_key(role, "DataKeyRecordings", ["kms:Decrypt"], "s3")
        return role
