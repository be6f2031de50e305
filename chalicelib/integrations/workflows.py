"""Step Functions: start a run once (deterministic names), answer a waiting step, stop a run."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import Unavailable, WaitOver
from chalicelib.integrations.aws import client

# What Step Functions says when the step no longer waits for this token.
_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


def execution_arn(state_machine_arn: str, name: str) -> str:
    prefix, _, machine = state_machine_arn.partition(":stateMachine:")
    return f"{prefix}:execution:{machine}:{name}"


def _unreachable(error: Exception) -> Unavailable:
    return Unavailable(f"the workflow service did not answer ({type(error).__name__}); nothing was lost, try again", field="orderId")


def start(state_machine_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Start the run called `name`; a second start of the same name (a retried request) is a no-op."""
    from botocore.exceptions import BotoCoreError, ClientError

    sfn = client("stepfunctions")
    try:
        return str(sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input=json.dumps(payload))["executionArn"])
    except sfn.exceptions.ExecutionAlreadyExists:
        return execution_arn(state_machine_arn, name)
    except (ClientError, BotoCoreError) as error:
        raise _unreachable(error) from error


def _answer(call: Any, **kwargs: Any) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        call(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] in _GONE:
            raise WaitOver("this step is no longer waiting for an answer (it timed out or was answered)", field="orderId") from error
        raise _unreachable(error) from error
    except BotoCoreError as error:
        raise _unreachable(error) from error


def succeed(task_token: str, output: dict[str, Any]) -> None:
    _answer(client("stepfunctions").send_task_success, taskToken=task_token, output=json.dumps(output))


def fail(task_token: str, error: str, cause: str = "") -> None:
    _answer(client("stepfunctions").send_task_failure, taskToken=task_token, error=error, cause=cause)


def stop(execution: str, cause: str) -> bool:
    """Stop a run; False if it had already ended or never started."""
    from botocore.exceptions import ClientError

    try:
        client("stepfunctions").stop_execution(executionArn=execution, cause=cause)
    except ClientError as error:
        if error.response["Error"]["Code"] in {"ExecutionDoesNotExist", "ValidationException"}:
            return False
        raise
    return True


def status(execution: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        return str(client("stepfunctions").describe_execution(executionArn=execution)["status"])
    except ClientError as error:
        if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
            return None
        raise
