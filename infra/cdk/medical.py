"""`MedicalWorkflow`: the injury direct-pay workflow (statemachines/medical.asl.json) as deployed.

It is a `DeployedWorkflow` (the Standard state machine from its file, one function per task, the
machine's role invoking exactly those, logs, traces, the failed-runs alarm in `Monitoring`, the
API's grants to start runs and answer its waiting steps) whose task functions read only cases:
their role may Query the case partition and write the case's transaction, answer their own
waiting task, and query no index at all (the rescue's functions also read the standby trucks).
"""

from __future__ import annotations

from infra.cdk.compute import FunctionRole
from infra.cdk.storage import Storage
from infra.cdk.workflow import DeployedWorkflow


class MedicalWorkflow(DeployedWorkflow):
    def _function_role(self, prefix: str, storage: Storage) -> FunctionRole:
        # `await_milestone` and `close_wait` read the case aggregate (one Query on its partition)
        # and write its transaction (chalicelib.services.medical.steps): no index.
        return self._step_role(prefix, storage)
