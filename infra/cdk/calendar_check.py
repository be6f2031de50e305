"""`CalendarCheck`: `functions/calendar_check`, run every 6 hours by an EventBridge schedule with its
own least-privilege role: it reads the loaded working-day calendar (one Query on its partition) and
publishes `NextYearCalendarMissing` (an embedded metric in its log), which `Monitoring` alarms on."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from chalicelib.observability import METRICS_NAMESPACE, SERVICE
from chalicelib.services.calendar import NEXT_YEAR_MISSING_METRIC
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import Storage

CALENDAR_CHECK_HANDLER = "functions.calendar_check.handler.handler"


class CalendarCheck(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, compute: Compute) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "CalendarCheckLogs")
        self.role = FunctionRole(
            self,
            "CalendarCheckRole",
            purpose="execution role of the calendar check",
            policy_name="calendar-check",
            log_group=self.log_group,
        )
        # the calendar's partition (store.calendar.all_in_force): a Query, nothing else
        storage.grant_table_items(self.role, "dynamodb:Query")
        storage.grant_table_key(self.role)
        # 6 hours: the longest an event may wait for a scheduled function (its max event age).
        self.function = compute.scheduled_function(
            self,
            "CalendarCheck",
            every=Duration.hours(6),
            schedule="check that next year's working-day calendar is loaded",
            description="publish whether next year's working-day calendar is missing",
            handler=CALENDAR_CHECK_HANDLER,
            role=self.role,
            timeout=Duration.seconds(30),
            environment=compute.base_environment,
        )

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def metric_next_year_missing(self, period: Duration) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=NEXT_YEAR_MISSING_METRIC,
            dimensions_map={"service": SERVICE},
            period=period,
            statistic="Maximum",
        )
