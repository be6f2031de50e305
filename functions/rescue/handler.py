"""The rescue workflow's Lambda functions, one per step (see statemachines/rescue.asl.json).

Each parses its input with pydantic and calls one step of `chalicelib.services.rescue.steps`;
a domain error propagates, so Lambda reports it under the exception's class name and the
state machine's Retry/Catch match it.
"""

from __future__ import annotations

from functools import partial

from functions.workflow_step import step_handler

_step = partial(step_handler, contract="chalicelib.contracts.rescue:StepInput", steps="chalicelib.services.rescue.steps",
                subject="order_id", label="rescue")

find_candidates = _step("find_candidates")
offer_next = _step("offer_next")
close_offer = _step("close_offer")
assign_truck = _step("assign_truck")
await_milestone = _step("await_milestone")
raise_alert = _step("raise_alert")
escalate = _step("escalate")
release_truck = _step("release_truck")
