"""The rescue workflow's Lambda functions, one per step (see statemachines/rescue.asl.json).

Each parses its input with pydantic and calls one step of `chalicelib.services.rescue.steps`;
a domain error propagates, so Lambda reports it under the exception's class name and the
state machine's Retry/Catch match it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.observability import bind_case, clear_case, function_handler, logger


def _step(name: str) -> Callable[[dict[str, Any], Any], Any]:
    @function_handler
    def handler(event: dict[str, Any], context: Any) -> Any:
        from chalicelib.contracts.rescue import StepInput
        from chalicelib.services.rescue import steps

        step = StepInput.model_validate(event)
        bind_case(case_id=step.case_id, execution_id=step.execution_id)
        try:
            result = getattr(steps, name)(step)
            logger.info("rescue step done", extra={"step": name, "order_id": step.order_id})
            return result
        finally:
            clear_case()

    handler.__name__ = handler.__qualname__ = name
    return handler


find_candidates = _step("find_candidates")
offer_next = _step("offer_next")
close_offer = _step("close_offer")
assign_truck = _step("assign_truck")
await_milestone = _step("await_milestone")
raise_alert = _step("raise_alert")
escalate = _step("escalate")
release_truck = _step("release_truck")
