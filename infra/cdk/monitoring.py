"""`Monitoring`: alarms on an encrypted SNS topic: the API's crashes, throttles and 5xx replies,
failed deliverer runs, failed sweeps (rescue orders, overdue mediations), failed workflow runs, table and index throttles, and next
year's working-day calendar missing from 1 December, and failed scheduled reports. Each
capability hands out its metrics; the alarms and what they mean live here."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.cdk.api import Api
from infra.cdk.calendar_check import CalendarCheck
from infra.cdk.common import APP_NAME, Capability, camel_case
from infra.cdk.delivery import Delivery
from infra.cdk.mediation_sweeper import MediationSweeper
from infra.cdk.reports import DESCRIPTIONS as REPORT_RUNS
from infra.cdk.reports import Reports
from infra.cdk.rescue_sweeper import RescueSweeper
from infra.cdk.storage import Storage
from infra.cdk.wechat_egress import WeChatEgress
from infra.cdk.workflow import DeployedWorkflow

PERIOD = Duration.minutes(5)


class Monitoring(Capability):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        api: Api,
        delivery: Delivery,
        rescue_sweeper: RescueSweeper,
        workflows: list[DeployedWorkflow],
        storage: Storage,
        calendar_check: CalendarCheck,
        mediation_sweeper: MediationSweeper,
        reports: Reports,
        wechat_egress: WeChatEgress | None = None,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.alarm_topic = self._alarm_topic()
        self._action = cloudwatch_actions.SnsAction(self.alarm_topic)

        # Chalice turns exceptions in routes into 500 replies, so Lambda `Errors` counts crashes,
        # timeouts and init failures; the API's 5XX alarm counts the 500 replies.
        self._alarm("ApiHandlerErrors", "API Lambda failed (crash, timeout, init error)", api.metric_handler("Errors", PERIOD), 1)
        self._alarm("ApiHandlerThrottles", "API Lambda throttled", api.metric_handler("Throttles", PERIOD), 1)
        # A failed run (crash, timeout, init error, e.g. a missing secret permission) delays every
        # insurer's webhooks; failed deliveries themselves are retried and logged, not errors.
        self._alarm("DelivererErrors", "Webhook deliverer failed (crash, timeout, init error)", delivery.metric_errors(PERIOD), 1)
        # A failed sweep (crash, timeout, e.g. a DescribeExecution refused) leaves orphaned orders
        # open and their trucks reserved until a sweep succeeds.
        self._alarm(
            "RescueSweeperErrors",
            "Rescue sweeper failed (crash, timeout, init error): orphaned orders may keep trucks reserved",
            rescue_sweeper.metric_errors(PERIOD),
            1,
        )
        for workflow in workflows:
            # A run ends failed only through the compensation: the order ended FAILED (truck
            # released) or, worse, CompensationFailed (a truck may still be held: free it by hand).
            self._alarm(
                f"{camel_case(workflow.workflow.name)}ExecutionsFailed",
                f"{workflow.workflow.name} run failed (order FAILED, or CompensationFailed: a truck may be stuck)",
                workflow.metric_failed_runs(PERIOD),
                1,
            )
        # From 1 December without next year's holiday arrangement, deadlines running into January
        # are only provisional: load it (PUT /admin/calendar/{year}). A failed check alarms too.
        self._alarm(
            "NextYearCalendarMissing",
            "Next year's working-day calendar is not loaded: deadlines into January are provisional (PUT /admin/calendar/{year})",
            calendar_check.metric_next_year_missing(Duration.hours(6)),
            1,
        )
        self._alarm("CalendarCheckErrors", "Calendar check failed (crash, timeout, init error)", calendar_check.metric_errors(PERIOD), 1)
        # A failed sweep leaves mediations past Art.89's 10 working days open (no 调解终结书 issued).
        self._alarm(
            "MediationSweeperErrors",
            "Mediation sweeper failed (crash, timeout, init error): overdue mediations stay open",
            mediation_sweeper.metric_errors(PERIOD),
            1,
        )
        # A failed scheduled report (crash, timeout, a unit not published after the schedule's retries):
        # run it again with the function's `{"date"}`/`{"month"}` event or `POST /admin/reports`.
        for name, what in REPORT_RUNS.items():
            self._alarm(f"{name}Errors", f"Scheduled report failed: {what} (run it again)", reports.metric_errors(name, PERIOD), 1)
        self._delivery_alarms(delivery)
        if wechat_egress is not None:
            # Failing runs mean no usable token is left: WeChat notices fall back to SMS.
            self._alarm("WeChatTokenRefresherErrors", "WeChat token refresher failed: no usable access token (whitelist? AppSecret?)",
                        wechat_egress.metric_errors(PERIOD), 1)
        self._alarm("Api5xx", "API answered 5xx", api.metric_5xx(PERIOD), 5)
        self._alarm("TableThrottles", "DynamoDB table throttled", storage.metric_throttles(PERIOD), 1)
        for name in storage.index_names:
            self._alarm(f"TableThrottles{name.capitalize()}", f"DynamoDB index {name} throttled", storage.metric_throttles(PERIOD, name), 1)

    def _delivery_alarms(self, delivery: Delivery) -> None:
        """Deliveries that fail: a dead letter at once (someone must look at it), failed attempts when
        many in a row (an insurer's endpoint or the SMS/WeChat provider is down), a failing stream run."""
        self._alarm("DeadMessages", "An outbox message was given up on (DEAD): look at it and resend or fix the endpoint",
                    delivery.metric_dead_messages(PERIOD), 1)
        self._alarm("DeliveriesFailed", "Many delivery attempts failed: an insurer endpoint or a provider is down",
                    delivery.metric_failed_deliveries(PERIOD), 10)
        self._alarm("StreamDelivererErrors", "First delivery attempts failed (crash, timeout): the schedule retries within a minute",
                    delivery.metric_stream_errors(PERIOD), 1)

    def _alarm_topic(self) -> sns.Topic:
        # CloudWatch cannot publish to a topic under the AWS-managed SNS key: it gets its own.
        key = kms.Key(
            self,
            "AlarmKey",
            description=self.describe("alarm topic"),
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey")
        return sns.Topic(
            self,
            "Alarms",
            display_name=f"{APP_NAME} {self.stage} alarms",
            master_key=key,
            enforce_ssl=True,
        )

    def _alarm(self, construct_id: str, description: str, metric: cloudwatch.IMetric, threshold: float) -> None:
        """An alarm at `threshold` or more in one period, quiet without data, notifying on alarm and on recovery."""
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
