"""`Delivery`: the outbox deliverer (`functions/deliverer`), a plain Lambda function run every
minute by an EventBridge schedule, with its own least-privilege role: it sends due webhooks to
insurers (signed with their secrets, with presigned links to evidence and documents) and party
notices (WeChat, SMS through SNS)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

from chalicelib.store.models import OutboxItem
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.parameters import Parameters
from infra.cdk.secrets import Secrets
from infra.cdk.storage import Storage

DELIVERER_HANDLER = "functions.deliverer.handler.handler"
# The index the deliverer queries for due outbox messages (chalicelib.store.outbox.pending).
OUTBOX_INDEX = OutboxItem.gsi1.Meta.index_name


class Delivery(Capability):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        storage: Storage,
        secrets: Secrets,
        parameters: Parameters,
        compute: Compute,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "DelivererLogs")
        self.role = self._role(storage, secrets)
        # One run at a time, every minute (the code also leases messages). A missed minute is
        # harmless: the next run takes what is due.
        self.function = compute.scheduled_function(
            self,
            "Deliverer",
            every=Duration.minutes(1),
            schedule="deliver due outbox webhooks",
            description="deliver outbox webhooks to insurers",
            handler=DELIVERER_HANDLER,
            role=self.role,
            timeout=Duration.seconds(60),
            environment={**compute.base_environment, **storage.bucket_environment, **secrets.environment, **parameters.environment},
        )

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def _role(self, storage: Storage, secrets: Secrets) -> FunctionRole:
        """Read due messages, lease and record them, sign, presign links, send party notices (WeChat, SMS)."""
        role = FunctionRole(
            self,
            "DelivererRole",
            purpose="execution role of the webhook deliverer",
            policy_name="deliverer",
            log_group=self.log_group,
            star_reason="Resource '*' only for X-Ray (xray:PutTraceSegments and xray:PutTelemetryRecords support "
            "no resource-level permissions) and for sns:Publish of party notices by SMS: a text "
            "message to a phone number has no resource ARN and SNS has no condition key for it.",
        )
        # load the case (Query on its partition), the insurer (GetItem), lease a message
        # (UpdateItem), record message + attempt (+ endpoint) in TransactWriteItems (PutItem)
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem")
        storage.grant_index_query(role, "OutboxIndex", OUTBOX_INDEX)
        # presigned links to sealed evidence and issued documents in claim.reported
        storage.grant_evidence_read(role)
        storage.grant_documents_read(role)
        secrets.grant_insurer_secrets_read(role)
        # party notices: tokenSecret signs the case link appended to a notice when it is sent;
        # wechatAppSecret gets the access token for WeChat customer-service messages
        secrets.grant_app_secret_read(role)
        role.allow(
            iam.PolicyStatement(
                # party notices by SMS (no WeChat, or WeChat refused): Publish with PhoneNumber has
                # no resource ARN and SNS no condition key for the number, hence "*". Without KMS
                # on the alarm topic's key this cannot publish to the (encrypted) alarm topic.
                sid="Sms",
                actions=["sns:Publish"],
                resources=["*"],
            )
        )
        storage.grant_table_key(role)
        # objects behind the presigned links; the app secret; insurer secrets if provisioned with the data key
        storage.grant_data_key(role, "DataKeyRead", ["kms:Decrypt"], "s3", "secretsmanager")
        return role
