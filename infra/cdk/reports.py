"""`Reports`: the daily and monthly report functions (`functions/report_daily`, `functions/report_monthly`),
fired by EventBridge Scheduler at 00:10 and on the 1st at 00:30 in the Asia/Shanghai time zone
(`chalicelib.domain.report_schedule`, the times the local stack fires too), each with its own
least-privilege role: Query the units' `STATS#` partitions, put their `REPORT#` items, put and read
the files in the reports bucket. `Monitoring` alarms when a run fails (ADR 0028)."""

from __future__ import annotations

import json

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from chalicelib.domain.report_schedule import DAILY, MONTHLY, TIME_ZONE, Schedule
from chalicelib.store import report_counters
from chalicelib.store import reports as report_items
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import KEY_USE, Storage

REPORT_DAILY_HANDLER = "functions.report_daily.handler.handler"
REPORT_MONTHLY_HANDLER = "functions.report_monthly.handler.handler"
# The scheduled time travels in the event, so a retried or late run reports the same period.
SCHEDULED_INPUT = json.dumps({"time": "<aws.scheduler.scheduled-time>"})
DESCRIPTIONS = {
    "ReportDaily": "publish each unit's report of the previous Beijing day",
    "ReportMonthly": "publish each unit's report of the previous Beijing month",
}
RETRIES = 2  # a report run replaces its files and item: a retry is harmless


class Reports(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, compute: Compute) -> None:
        super().__init__(scope, construct_id, stage=stage)
        # Inline (no separate policy resource), like every role of the stack; statements added per function.
        self._invoke = iam.PolicyDocument()
        self.scheduler_role = iam.Role(
            self, "ReportSchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description=self.describe("EventBridge Scheduler invoking the report functions"),
            inline_policies={"invoke-report-functions": self._invoke},
        )
        self.roles: dict[str, FunctionRole] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.functions: dict[str, lambda_.Function] = {}
        for name, handler, schedule in (("ReportDaily", REPORT_DAILY_HANDLER, DAILY), ("ReportMonthly", REPORT_MONTHLY_HANDLER, MONTHLY)):
            self.functions[name] = self._scheduled(name, handler, schedule, DESCRIPTIONS[name], storage, compute)

    def _scheduled(self, name: str, handler: str, schedule: Schedule, what: str, storage: Storage, compute: Compute) -> lambda_.Function:
        self.log_groups[name] = logged_to = log_group(self, f"{name}Logs")
        role = self.roles[name] = self._role(name, logged_to, storage)
        function = compute.function(
            self,
            name,
            function_name=self.physical_name(name.replace("Report", "report-").lower()),
            description=what,
            handler=handler,
            role=role,
            memory_size=1024,  # reportlab draws the PDF
            timeout=Duration.minutes(5),  # per unit: up to 31 Queries, three files, one item
            reserved_concurrent_executions=1,
            retry_attempts=0,  # the schedule retries, with the same scheduled time
            environment={**compute.base_environment, **storage.reports_environment},
        )
        self._invoke.add_statements(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        scheduler.CfnSchedule(
            self,
            f"{name}Schedule",
            description=self.describe(what),
            schedule_expression=schedule.cron,
            schedule_expression_timezone=TIME_ZONE,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=function.function_arn,
                role_arn=self.scheduler_role.role_arn,
                input=SCHEDULED_INPUT,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=RETRIES, maximum_event_age_in_seconds=3600),
            ),
        )
        return function

    def _role(self, name: str, logged_to: logs.LogGroup, storage: Storage) -> FunctionRole:
        """Query the day partitions of the figures, put the report items, put and read the report
        files; the data key through DynamoDB and S3. Nothing else of the table, no other bucket."""
        role = FunctionRole(self, f"{name}Role", purpose=f"execution role of {name}", policy_name=name, log_group=logged_to)
        table = storage.table.table_arn
        role.allow(
            iam.PolicyStatement(
                sid="ReportFigures", actions=["dynamodb:Query"], resources=[table],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [report_counters.LEADING_KEYS]}},
            ),
            iam.PolicyStatement(
                sid="ReportItems", actions=["dynamodb:PutItem"], resources=[table],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [report_items.LEADING_KEYS]}},
            ),
        )
        storage.grant_reports_publish(role)
        storage.grant_data_key(role, "DataKey", KEY_USE, "dynamodb", "s3")
        return role

    def metric_errors(self, name: str, period: Duration) -> cloudwatch.Metric:
        return self.functions[name].metric_errors(period=period, statistic="Sum")
