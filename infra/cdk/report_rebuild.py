"""`ReportRebuild`: the report figures' repair run (`functions/report_rebuild`, issue 15, ADR 0027).

On demand, never scheduled: an operator invokes it with `{"from": "YYYY-MM-DD", "to": ..., "unit"?}`
(README, Reports; the function's name is the output `ReportRebuildFunctionName`). Its own
least-privilege role reads what `chalicelib.services.report_rebuild` reads: the units' day lists
(gsi2, `DAY#` keys), each case's partition and its audit log's, the figures' `STATS#` partitions,
and writes only the `STATS#` partitions (PynamoDB's batch write: puts and deletes). `Monitoring`
alarms on its errors."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

from chalicelib.store import audit, case_items, report_counters
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import KEY_USE, Storage

REPORT_REBUILD_HANDLER = "functions.report_rebuild.handler.handler"
DAY_LISTS_INDEX = "gsi2"  # the unit's cases per day (`case_items.cases_on_day`)


def leading_keys(*patterns: str) -> dict[str, dict[str, list[str]]]:
    return {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(patterns)}}


class ReportRebuild(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, compute: Compute) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "ReportRebuildLogs")
        self.role = self._role(storage)
        self.function = compute.function(
            self,
            "ReportRebuild",
            function_name=self.physical_name("report-rebuild"),
            description="rebuild a period's report figures from the cases' records (run by an operator)",
            handler=REPORT_REBUILD_HANDLER,
            role=self.role,
            memory_size=512,
            timeout=Duration.minutes(15),  # up to 100 days of a unit: a Query per day and per case
            reserved_concurrent_executions=1,  # two repairs of one day at once would race on its items
            retry_attempts=0,  # invoked by hand: the operator sees the failure and runs it again
            environment=compute.base_environment,
        )

    def _role(self, storage: Storage) -> FunctionRole:
        """Query the day lists, the cases, their audit logs and the figures; batch-write the figures.
        Nothing else of the table; no bucket."""
        role = FunctionRole(self, "ReportRebuildRole", purpose="execution role of the report rebuild", policy_name="ReportRebuild",
                            log_group=self.log_group)
        table = storage.table.table_arn
        role.allow(
            iam.PolicyStatement(
                sid="RebuildReads", actions=["dynamodb:Query"], resources=[table],
                conditions=leading_keys(case_items.LEADING_KEYS, audit.LEADING_KEYS, report_counters.LEADING_KEYS),
            ),
            iam.PolicyStatement(
                sid="RebuildDayLists", actions=["dynamodb:Query"], resources=[f"{table}/index/{DAY_LISTS_INDEX}"],
                conditions=leading_keys(case_items.DAY_LEADING_KEYS),
            ),
            iam.PolicyStatement(
                sid="RebuildWrites", actions=["dynamodb:BatchWriteItem"], resources=[table],
                conditions=leading_keys(report_counters.LEADING_KEYS),
            ),
        )
        storage.grant_data_key(role, "DataKey", KEY_USE, "dynamodb")
        return role

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")
