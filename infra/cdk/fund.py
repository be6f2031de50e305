"""`FundWorkflow`: the road rescue fund's review run (`statemachines/fund.asl.json`) as deployed.

The same shape as every workflow (`DeployedWorkflow`: a Standard machine from its file, one
function per step, the machine's role invoking exactly those, logs, traces, an alarm on failed
runs in `Monitoring`), with a narrower function role: the fund's steps only read the case and its
payer partition and write the case's transaction (table items, no index: the fund's queue is read
by the API, never by a step), and answer their own waiting task. They touch no truck, no bucket,
no secret. Separate from the medical run on purpose (ADR 0019).
"""

from __future__ import annotations

from aws_cdk import aws_iam as iam

from infra.cdk.compute import FunctionRole
from infra.cdk.storage import Storage
from infra.cdk.workflow import DeployedWorkflow, grant_case_steps


class FundWorkflow(DeployedWorkflow):
    def _function_role(self, prefix: str, storage: Storage) -> FunctionRole:
        role = FunctionRole(
            self,
            f"{prefix}Role",
            purpose="execution role of the fund review workflow's functions",
            policy_name=self.workflow.name,
            log_group=self.function_logs,
        )
        grant_case_steps(storage, role)
        role.allow(
            iam.PolicyStatement(
                # await_review answers its own task when the reviewer's answer came first; on the
                # machine's ARN formatted from its name (a Ref would be a cycle).
                sid="AnswerOwnTask",
                actions=["states:SendTaskSuccess"],
                resources=[self.state_machine_arn],
            )
        )
        return role
