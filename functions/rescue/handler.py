"""The rescue workflow's Lambda functions, one per step (see statemachines/rescue.asl.json).

Each parses its input with pydantic and calls one step of `chalicelib.services.rescue.steps`;
a domain error propagates, so Lambda reports it under the exception's class name and the
state machine's Retry/Catch match it.
"""

from __future__ import annotations

from functools import partial

from functions.workflow_step import workflow_step

_step = partial(workflow_step, contract="chalicelib.contracts.rescue:StepInput", steps="chalicelib.services.rescue.steps",
                label="rescue", subject="order_id")

find_candidates = _step("find_candidates")
offer_next = _step("offer_next")
close_offer = _step("close_offer")
assign_truck = _step("assign_truck")
await_milestone = _step("await_milestone")
raise_alert = _step("raise_alert")
escalate = _step("escalate")
release_truck = _step("release_truck")
