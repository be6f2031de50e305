"""The direct-pay workflow's Lambda functions, one per step (see statemachines/medical.asl.json).

Each parses its input with pydantic and calls one step of `chalicelib.services.medical.steps`; a
domain error propagates under its class name, which the state machine's Retry/Catch match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.observability import bind_case, clear_case, function_handler, logger


def _step(name: str) -> Callable[[dict[str, Any], Any], Any]:
    @function_handler
    def handler(event: dict[str, Any], context: Any) -> Any:
        from chalicelib.contracts.medical import StepInput
        from chalicelib.services.medical import steps

        step = StepInput.model_validate(event)
        bind_case(case_id=step.case_id, execution_id=step.execution_id)
        try:
            result = getattr(steps, name)(step)
            logger.info("medical step done", extra={"step": name, "milestone": step.milestone})
            return result
        finally:
            clear_case()

    handler.__name__ = handler.__qualname__ = name
    return handler


await_milestone = _step("await_milestone")
close_wait = _step("close_wait")
