"""Step Functions' Lambda tasks, run in this process.

moto's Step Functions engine calls `lambda.Invoke` through boto3; a botocore `before-call` hook
answers that call by running our handler from `functions/` directly, as Lambda would: the
handler's return value becomes the payload, and a raised exception becomes a function error
named after the exception's class, which the state machine's Retry/Catch match. Application
code never sees any of this.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from infra.workflows import WORKFLOWS, Workflow

LOCAL_ACCOUNT = "123456789012"  # moto's default account
_EVENT = "before-call.lambda.Invoke"
_routes: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
_installed = False
log = logging.getLogger("yunchetong.local")


def function_name(stage: str, name: str) -> str:
    return f"yunchetong-{stage}-{name}"


def function_arn(region: str, stage: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{function_name(stage, name)}"


def arns(workflow: Workflow, region: str, stage: str) -> dict[str, str]:
    return {fn.placeholder: function_arn(region, stage, fn.name) for fn in workflow.functions}


def _load(handler_path: str) -> Callable[[dict[str, Any], Any], Any]:
    module, _, attribute = handler_path.rpartition(".")
    handler: Callable[[dict[str, Any], Any], Any] = getattr(importlib.import_module(module), attribute)
    return handler


@dataclass
class LambdaContext:
    """The parts of Lambda's context object our handlers (and Powertools) read."""

    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_ms: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


class _Response:
    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 (read-only stand-in for botocore's response)


def _payload(body: bytes) -> Any:
    from botocore.response import StreamingBody

    return StreamingBody(io.BytesIO(body), len(body))


def _invoke(params: dict[str, Any], **_: Any) -> tuple[_Response, dict[str, Any]] | None:
    name = unquote(params["url_path"].split("/functions/", 1)[1].split("/", 1)[0]).rsplit(":function:", 1)[-1]
    handler = _routes.get(name)
    if handler is None:
        return None  # not one of ours: let the call go on
    event = json.loads(params.get("body") or b"{}")
    context = LambdaContext(function_name=name)
    try:
        result = handler(event, context)
    except Exception as error:  # noqa: BLE001 (Lambda reports any exception as a function error; so do we)
        log.info("local function %s raised %s", name, type(error).__name__)
        body = json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
        return _Response(), {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _payload(body)}
    return _Response(), {"StatusCode": 200, "Payload": _payload(json.dumps(result).encode())}


def install(region: str, stage: str, overrides: dict[str, Callable[[dict[str, Any], Any], Any]] | None = None) -> None:
    """Route every workflow function to its handler (`overrides` by function name suffix, for tests
    that make a step fail). The hook is registered for every botocore session made from now on,
    which is how moto's engine makes its Lambda client."""
    global _installed
    from botocore.handlers import BUILTIN_HANDLERS

    _routes.clear()
    for workflow in WORKFLOWS:
        for fn in workflow.functions:
            handler = (overrides or {}).get(fn.name) or _load(fn.handler)
            _routes[function_name(stage, fn.name)] = handler
    if not _installed:
        BUILTIN_HANDLERS.append((_EVENT, _invoke))
        _installed = True


def uninstall() -> None:
    _routes.clear()
