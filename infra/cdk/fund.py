"""`FundWorkflow`: the road rescue fund's review run (`statemachines/fund.asl.json`) as deployed.

The same shape as every workflow (`DeployedWorkflow`: a Standard machine from its file, one
function per step, the machine's role invoking exactly those, logs, traces, an alarm on failed
runs in `Monitoring`), with a narrower function role: the fund's steps only read the case and its
payer partition and write the case's transaction (table items, no index: the fund's queue is read
by the API, never by a step), and answer their own waiting task. They touch no truck, no bucket,
no secret. Separate from the medical run on purpose (ADR 0019).
"""

from __future__ import annotations

from infra.cdk.compute import FunctionRole
from infra.cdk.storage import Storage
from infra.cdk.workflow import DeployedWorkflow


class FundWorkflow(DeployedWorkflow):
    def _function_role(self, prefix: str, storage: Storage) -> FunctionRole:
        return self._step_role(prefix, storage)  # no index: not the rescue's standby trucks
