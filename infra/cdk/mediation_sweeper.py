"""`MediationSweeper`: `functions/mediation_sweeper`, run hourly by an EventBridge schedule with its
own least-privilege role: it terminates the mediations past their 10 working days (Art.89,
`services.mediation.close_overdue_everywhere`): a Query of each configured unit's MEDIATING queue,
then per case its Query, the termination PDF put in the documents bucket and the case's transaction.
The same hourly run records the claims whose insurer clock ran out unanswered (issue 15,
`services.claims_clock.record_overdue_everywhere`): a Query of each unit's insurer-clock index, then
per claim its case's Query and transaction. Both are a case's statutory deadline passing unanswered."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from chalicelib.store.models import CaseItem, ClaimItem
from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.parameters import Parameters
from infra.cdk.storage import KEY_USE, Storage

MEDIATION_SWEEPER_HANDLER = "functions.mediation_sweeper.handler.handler"
# The officer queue index: a unit's cases in a status, oldest first (store.case_items.queue).
CASE_QUEUE_INDEX = CaseItem.gsi1.Meta.index_name
# The insurer-clock index: a unit's open claims by the day their insurer's duty falls due (store.case_items).
CLAIM_CLOCK_INDEX = ClaimItem.gsi2.Meta.index_name


class MediationSweeper(Capability):
    def __init__(
        self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, parameters: Parameters, compute: Compute
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "MediationSweeperLogs")
        self.role = self._role(storage)
        # Hourly, not daily: a scheduled event may wait at most 6 hours (Lambda's maximum event age),
        # and a mediation is then terminated within the hour after its last day. A missed run is
        # harmless: the next finds the same mediations.
        self.function = compute.scheduled_function(
            self,
            "MediationSweeper",
            every=Duration.hours(1),
            schedule="terminate mediations past their 10 working days",
            function_name=self.physical_name("mediation-sweeper"),
            description="terminate mediations past their 10 working days (调解终结书); record claims overdue",
            handler=MEDIATION_SWEEPER_HANDLER,
            role=self.role,
            # a Query per unit, then per overdue case a Query, a PDF drawn and stored, a transaction
            timeout=Duration.seconds(300),
            # the termination's PDF prints its /verify address
            environment={**compute.base_environment, **storage.bucket_environment, "PUBLIC_BASE_URL": parameters.public_base_url},
        )

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def _role(self, storage: Storage) -> FunctionRole:
        """Read a unit's queue, its insurer clocks and its cases, issue the termination (a document put,
        read back, locked) and write the case's transaction of Puts and the report counters' ADD
        (UpdateItem). No Scan or Delete of items."""
        role = FunctionRole(
            self,
            "MediationSweeperRole",
            purpose="execution role of the mediation sweeper",
            policy_name="mediation-sweeper",
            log_group=self.log_group,
        )
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")
        storage.grant_report_counters(role)
        storage.grant_index_query(role, "CaseQueueIndex", CASE_QUEUE_INDEX, CLAIM_CLOCK_INDEX)
        storage.grant_documents_issue(role)
        # the table's and the documents bucket's encryption: the same data key, through those services only
        storage.grant_data_key(role, "DataKey", KEY_USE, "dynamodb", "s3")
        return role
