"""`Delivery`: the outbox deliverer (`functions/deliverer`), with its own least-privilege role: it
sends webhooks to insurers (signed with their secrets, with presigned links to evidence and
documents) and party notices (WeChat, SMS through SNS). Two functions run the same handler:

- `StreamDeliverer`, on the table's stream filtered to newly inserted outbox messages: each
  message's first attempt, seconds after its commit (ADR 0034); records it cannot handle are
  reported one by one (`ReportBatchItemFailures`) and retried by the stream, then left to
- `Deliverer`, run every minute by an EventBridge schedule, one run at a time: the retries after
  backoff, and any first attempt the stream did not make.

Neither is in a VPC: they read the WeChat access token the in-VPC refresher stores
(`WECHAT_TOKEN_FETCH=refresher`, infra/cdk/wechat_egress.py)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from chalicelib.observability import DEAD_MESSAGES_METRIC, DELIVERIES_FAILED_METRIC, METRICS_NAMESPACE, SERVICE
from chalicelib.store import outbox
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
        self.role = self._role("DelivererRole", "execution role of the webhook deliverer", "deliverer", storage, secrets)
        environment = {
            **compute.base_environment, **storage.bucket_environment, **secrets.environment, **parameters.environment,
            "WECHAT_TOKEN_FETCH": "refresher",  # outside the VPC: WeChat refuses token requests from here
        }
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
            environment=environment,
        )
        self.stream_role = self._role(
            "StreamDelivererRole", "execution role of the first delivery attempts", "stream-deliverer", storage, secrets
        )
        self.stream_role.allow(
            iam.PolicyStatement(
                sid="TableStream",
                actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
                resources=[storage.table.table_stream_arn or ""],
            )
        )
        self.stream_function = compute.function(
            self,
            "StreamDeliverer",
            description="first delivery attempt of new outbox messages (table stream)",
            handler=DELIVERER_HANDLER,
            role=self.stream_role,
            timeout=Duration.seconds(60),
            memory_size=512,
            environment=environment,
        )
        self.stream_function.add_event_source(
            sources.DynamoEventSource(
                storage.table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=10,
                max_batching_window=Duration.millis(0),  # in seconds: send as soon as the message is committed
                retry_attempts=2,  # then the scheduled run takes the message: it is still pending in the table
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                filters=[
                    lambda_.FilterCriteria.filter(
                        {"eventName": lambda_.FilterRule.is_equal("INSERT"),
                         "dynamodb": {"Keys": {"pk": {"S": lambda_.FilterRule.begins_with(outbox.key_prefix())}}}}
                    )
                ],
            )
        )

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def metric_stream_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.stream_function.metric_errors(period=period, statistic="Sum")

    def metric_failed_deliveries(self, period: Duration) -> cloudwatch.Metric:
        """Failed delivery attempts (each is retried after backoff, or gives the message up)."""
        return self._published(DELIVERIES_FAILED_METRIC, period)

    def metric_dead_messages(self, period: Duration) -> cloudwatch.Metric:
        """Messages given up on (dead letters): someone must look at each."""
        return self._published(DEAD_MESSAGES_METRIC, period)

    def _published(self, name: str, period: Duration) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE, metric_name=name, dimensions_map={"service": SERVICE}, period=period, statistic="Sum"
        )

    def _role(self, construct_id: str, purpose: str, policy_name: str, storage: Storage, secrets: Secrets) -> FunctionRole:
        """Read due messages, lease and record them, sign, presign links, send party notices (WeChat, SMS)."""
        role = FunctionRole(
            self,
            construct_id,
            purpose=purpose,
            policy_name=policy_name,
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
