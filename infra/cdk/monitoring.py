"""`Monitoring`: alarms on an encrypted SNS topic, delivered to the e-mail address and/or HTTPS
endpoint given as deploy parameters (`AlarmEmail`, `AlarmHttpsEndpoint`; each optional): the API's crashes, throttles and 5xx replies,
failed deliverer runs, failed sweeps (rescue orders, overdue mediations), failed workflow runs, table and index throttles, and next
year's working-day calendar missing from 1 December, failed scheduled reports, and from the application's own metrics
(`chalicelib.observability.count`): workflow steps that crashed, a day without a reported case,
and a day of reports without a single letter issued. Each
capability hands out its metrics; the alarms and what they mean live here."""

from __future__ import annotations

from aws_cdk import CfnCondition, CfnParameter, Duration, Fn, RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from chalicelib.observability import CASES_REPORTED, LETTERS_ISSUED, METRICS_NAMESPACE, SERVICE, WORKFLOW_STEP_ERRORS
from infra.cdk.api import Api
from infra.cdk.calendar_check import CalendarCheck
from infra.cdk.common import APP_NAME, Capability, camel_case
from infra.cdk.delivery import Delivery
from infra.cdk.mediation_sweeper import MediationSweeper
from infra.cdk.report_rebuild import ReportRebuild
from infra.cdk.reports import DESCRIPTIONS as REPORT_RUNS
from infra.cdk.reports import Reports
from infra.cdk.rescue_sweeper import RescueSweeper
from infra.cdk.storage import Storage
from infra.cdk.wechat_egress import WeChatEgress
from infra.cdk.workflow import DeployedWorkflow

PERIOD = Duration.minutes(5)
DAY = Duration.days(1)
# A day with this many reports and no letter: the officers' side (determination, letters) is stuck.
REPORTS_WITHOUT_LETTERS = 10
EMAIL_PATTERN = r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$"
HTTPS_PATTERN = r"^(https://\S+)?$"


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
        report_rebuild: ReportRebuild | None = None,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.alarm_topic = self._alarm_topic()
        self._subscribe_from_parameters()
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
        if report_rebuild is not None:
            # Run by an operator: a failed repair leaves the period's figures as they were (run it again).
            self._alarm("ReportRebuildErrors", "Report rebuild failed: the period's figures were not repaired (run it again)",
                        report_rebuild.metric_errors(PERIOD), 1)
        self._delivery_alarms(delivery)
        if wechat_egress is not None:
            # Failing runs mean no usable token is left: WeChat notices fall back to SMS.
            self._alarm("WeChatTokenRefresherErrors", "WeChat token refresher failed: no usable access token (whitelist? AppSecret?)",
                        wechat_egress.metric_errors(PERIOD), 1)
        self._application_alarms(workflows)
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
    def _application_alarms(self, workflows: list[DeployedWorkflow]) -> None:
        """Alarms on the figures the API and the workflow functions publish (`chalicelib.observability`)."""
        for workflow in workflows:
            name = workflow.workflow.name
            self._alarm(
                f"{camel_case(name)}StepErrors",
                f"{name} workflow step crashed (not a domain outcome): the run retries or ends failed",
                self._metric(WORKFLOW_STEP_ERRORS, PERIOD, workflow=name),
                1,
            )
        reported = self._metric(CASES_REPORTED, DAY)
        # No report for a whole day: intake is broken (or a new deployment has no users yet).
        self._alarm(
            "NoCasesReported",
            "No case reported in 24 hours: check the reporting channels (WeChat, the API)",
            reported,
            1,
            comparison=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            missing=cloudwatch.TreatMissingData.BREACHING,
        )
        self._alarm(
            "ReportsWithoutLetters",
            f"{REPORTS_WITHOUT_LETTERS} or more cases reported in 24 hours and no letter issued: determination is stuck",
            cloudwatch.MathExpression(
                expression=f"IF(reported >= {REPORTS_WITHOUT_LETTERS} AND issued < 1, 1, 0)",
                using_metrics={"reported": reported, "issued": self._metric(LETTERS_ISSUED, DAY)},
                period=DAY,
                label="reports without letters",
            ),
            1,
        )

    @staticmethod
    def _metric(name: str, period: Duration, **dimensions: str) -> cloudwatch.Metric:
        """A count published by `chalicelib.observability.count` (namespace, `service` and `dimensions`)."""
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map={"service": SERVICE, **dimensions},
            period=period,
            statistic="Sum",
        )

    def _subscribe_from_parameters(self) -> None:
        """Where alarms go: an e-mail address (confirmed by its owner) and/or an HTTPS endpoint (an
        on-call tool), each a deploy parameter, each subscribed only when given."""
        email = CfnParameter(
            self,
            "AlarmEmail",
            type="String",
            default="",
            description="E-mail address that receives the alarms (confirm the subscription mail); empty for none",
            allowed_pattern=EMAIL_PATTERN,
            constraint_description="empty or an e-mail address",
        ).value_as_string
        endpoint = CfnParameter(
            self,
            "AlarmHttpsEndpoint",
            type="String",
            default="",
            description="HTTPS endpoint that receives the alarms (an on-call tool's SNS integration URL); empty for none",
            allowed_pattern=HTTPS_PATTERN,
            constraint_description="empty or an https:// URL",
        ).value_as_string
        for construct_id, value, subscription in (
            ("AlarmEmail", email, subscriptions.EmailSubscription(email)),
            ("AlarmHttps", endpoint, subscriptions.UrlSubscription(endpoint, protocol=sns.SubscriptionProtocol.HTTPS)),
        ):
            given = CfnCondition(self, f"{construct_id}Given", expression=Fn.condition_not(Fn.condition_equals(value, "")))
            added = self.alarm_topic.add_subscription(subscription)
            resource = added.node.default_child
            assert isinstance(resource, sns.CfnSubscription)
            resource.cfn_options.condition = given

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

    def _alarm(
        self,
        construct_id: str,
        description: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        *,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING,
    ) -> None:
        """An alarm at `threshold` or more in one period (or as `comparison` says), quiet without
        data (or as `missing` says), notifying on alarm and on recovery."""
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=missing,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
