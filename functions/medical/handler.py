"""The direct-pay workflow's Lambda functions, one per step (see statemachines/medical.asl.json),
each calling one step of `chalicelib.services.medical.steps`."""

from __future__ import annotations

from functools import partial

from functions.workflow_step import step_handler

_step = partial(step_handler, contract="chalicelib.contracts.medical:StepInput", steps="chalicelib.services.medical.steps",
                label="medical", subject="application_id")

await_milestone = _step("await_milestone")
close_wait = _step("close_wait")
