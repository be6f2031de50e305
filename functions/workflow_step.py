"""One Lambda handler per workflow step, made the same way for every workflow: parse the input
with the workflow's pydantic step contract, bind the case and run to the logs, call the step.

A domain error propagates, so Lambda reports it under the exception's class name and the state
machine's Retry/Catch match it. Any other exception is a failure: counted (`WorkflowStepErrors`, per
workflow, alarmed in `infra/cdk/monitoring.py`) and raised. Contract and steps are imported on first call (cold start).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from chalicelib.errors import DomainError
from chalicelib.observability import WORKFLOW_STEP_ERRORS, bind_case, clear_case, count, function_handler, logger


def step_handler(name: str, *, contract: str, steps: str, subject: str, label: str) -> Callable[[dict[str, Any], Any], Any]:
    """The handler of step `name` of module `steps`; `contract` is "module:Class"; `subject` the
    input field logged with the outcome (the order or application id)."""

    @function_handler
    def handler(event: dict[str, Any], context: Any) -> Any:
        module, _, model = contract.partition(":")
        step = getattr(import_module(module), model).model_validate(event)
        bind_case(case_id=step.case_id, execution_id=step.execution_id)
        try:
            result = getattr(import_module(steps), name)(step)
            logger.info(f"{label} step done", extra={"step": name, subject: getattr(step, subject)})
            return result
        except DomainError:
            raise  # an outcome the state machine's Catch handles (no truck, refused), not a failure
        except Exception:
            count(WORKFLOW_STEP_ERRORS, workflow=label)
            raise
        finally:
            clear_case()

    handler.__name__ = handler.__qualname__ = name
    return handler
