"""One Lambda handler per workflow step: parse the task input with its pydantic contract, tag the
logs with the case and the run, call the step. A domain error propagates, so Lambda reports it
under the exception's class name and the state machine's Retry/Catch match it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from chalicelib.observability import bind_case, clear_case, function_handler, logger


def workflow_step(name: str, *, contract: str, steps: str, label: str, subject: str) -> Callable[[dict[str, Any], Any], Any]:
    """The handler of step `name` of module `steps`, its input `contract` ("module:Class");
    `subject` is the input's attribute logged as what the run is about (an order, an application)."""

    @function_handler
    def handler(event: dict[str, Any], context: Any) -> Any:
        module, _, model = contract.partition(":")
        step = getattr(importlib.import_module(module), model).model_validate(event)
        bind_case(case_id=step.case_id, execution_id=step.execution_id)
        try:
            result = getattr(importlib.import_module(steps), name)(step)
            logger.info(f"{label} step done", extra={"step": name, subject: getattr(step, subject)})
            return result
        finally:
            clear_case()

    handler.__name__ = handler.__qualname__ = name
    return handler
