"""The fund review run's Lambda functions, one per step (see statemachines/fund.asl.json).

Each parses its input with pydantic and calls one step of
`chalicelib.services.medical_payers.fund_steps`; a domain error propagates under its class name
for the state machine's Retry/Catch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.observability import bind_case, clear_case, function_handler, logger


def _step(name: str) -> Callable[[dict[str, Any], Any], Any]:
    @function_handler
    def handler(event: dict[str, Any], context: Any) -> Any:
        from chalicelib.contracts.fund import FundStepInput
        from chalicelib.services.medical_payers import fund_steps

        step = FundStepInput.model_validate(event)
        bind_case(case_id=step.case_id, execution_id=step.execution_id)
        try:
            result = getattr(fund_steps, name)(step)
            logger.info("fund step done", extra={"step": name, "fund_application_id": step.fund_application_id})
            return result
        finally:
            clear_case()

    handler.__name__ = handler.__qualname__ = name
    return handler


await_review = _step("await_review")
remind = _step("remind")
escalate = _step("escalate")
