"""The fund review run's Lambda functions, one per step (see statemachines/fund.asl.json), each
calling one step of `chalicelib.services.medical_payers.fund_steps` (`functions/workflow_step.py`)."""

from __future__ import annotations

from functools import partial

from functions.workflow_step import step_handler

_step = partial(step_handler, contract="chalicelib.contracts.fund:FundStepInput",
                steps="chalicelib.services.medical_payers.fund_steps", subject="fund_application_id", label="fund")

await_review = _step("await_review")
remind = _step("remind")
escalate = _step("escalate")
