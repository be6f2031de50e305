"""`RescueSweeper`: `functions/rescue_sweeper`, a plain Lambda function run every 5 minutes by an
EventBridge schedule, with its own least-privilege role: it ends open rescue orders whose run is
not running through the workflow's compensation (truck released, order FAILED)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from chalicelib.store.models import RescueOrderItem
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.storage import Storage
from infra.cdk.workflow import DeployedWorkflow, grant_case_steps

RESCUE_SWEEPER_HANDLER = "functions.rescue_sweeper.handler.handler"
# The index the sweeper queries for open rescue orders whose workflow is overdue (store.rescue.due_by).
RESCUE_DUE_INDEX = RescueOrderItem.gsi3.Meta.index_name


class RescueSweeper(Capability):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, rescue: DeployedWorkflow, compute: Compute
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "RescueSweeperLogs")
        self.role = self._role(storage, rescue)
        # One sweep at a time, every 5 minutes. A missed sweep is harmless (the next one finds the same orders).
        self.function = compute.scheduled_function(
            self,
            "RescueSweeper",
            every=Duration.minutes(5),
            schedule="end rescue orders whose run is not running",
            function_name=self.physical_name("rescue-sweeper"),  # as the workflow's functions are named
            description="end rescue orders whose workflow run is not running",
            handler=RESCUE_SWEEPER_HANDLER,
            role=self.role,
            # a Query per shard of the due index, a DescribeExecution and maybe a transaction per overdue order
            timeout=Duration.seconds(120),
            # Without the machine's ARN release_orphans would take every open order for orphaned.
            environment={**compute.base_environment, **rescue.environment},
        )

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def _role(self, storage: Storage, rescue: DeployedWorkflow) -> FunctionRole:
        """Find overdue open orders through the due index, read their runs' status, and run the
        compensation with exactly the task functions' table access. It never starts, stops or
        answers a run."""
        role = FunctionRole(
            self,
            "RescueSweeperRole",
            purpose="execution role of the rescue sweeper",
            policy_name="rescue-sweeper",
            log_group=self.log_group,
        )
        grant_case_steps(storage, role)
        # open orders whose run should have moved them by now (store.rescue.due_by)
        storage.grant_index_query(role, "RescueDueIndex", RESCUE_DUE_INDEX)
        rescue.grant_read_run_status(role)
        rescue.accept_every_run(role, "the sweeper only reads their status (DescribeExecution)")
        return role
