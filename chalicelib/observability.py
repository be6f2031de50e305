"""The one observability module: Powertools logger and metrics for every entry point.

Tracing is X-Ray's at the service level (Lambda active tracing, API Gateway, Step Functions),
without the X-Ray SDK in our code (ADR 0032).

Personal data never reaches the log output. A filter on the logger scrubs each record in
place (message with its arguments, every ``extra``, the traceback text) before any
handler sees it, and the formatter passes the whole JSON line, appended keys included,
through ``masking.scrub`` once more just before writing it: names, phone numbers, ID
numbers and plates under their keys are masked, and ID numbers, phone numbers and plates
anywhere in text.

Importing this module is cheap: the only AWS SDK module touched at import is
``botocore/__init__``, which Powertools itself imports to register its user-agent hook; boto3
is never imported here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, single_metric
from aws_lambda_powertools.logging.formatter import (
    BasePowertoolsFormatter,
    LambdaPowertoolsFormatter,
)
from aws_lambda_powertools.logging.lambda_context import build_lambda_context_model
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from chalicelib.domain.masking import scrub, scrub_item, scrub_text

if TYPE_CHECKING:
    from aws_lambda_powertools.logging.types import LogRecord

SERVICE = "yunchetong"
METRICS_NAMESPACE = "Yunchetong"
# Metric names the alarms (infra/cdk/monitoring.py) watch, emitted under METRICS_NAMESPACE.
DELIVERIES_FAILED_METRIC = "DeliveriesFailed"  # failed delivery attempts (webhooks and notices)
DEAD_MESSAGES_METRIC = "DeadMessages"  # outbox messages given up on (dead letters)
CASE_KEYS = ("case_id", "execution_id")

# Keys of the current invocation (its case, its Lambda context), per thread and task rather than
# on the shared logger: the local stack runs functions and API requests in one process, and keys
# appended to the logger by one invocation would show on every other's lines.
_invocation_keys: ContextVar[Mapping[str, Any]] = ContextVar("yunchetong_invocation_keys", default=MappingProxyType({}))
_cold_start = True

# Keys Powertools fills in itself. They carry no personal data, and scrubbing a trace id,
# request id or ARN could only corrupt it.
_FRAMEWORK_KEYS = frozenset(
    {
        "level",
        "location",
        "timestamp",
        "service",
        "sampling_rate",
        "xray_trace_id",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
    }
)


def _to_plain(obj: Any) -> Any:
    """JSON fallback that keeps structure (so keys can be masked) where it can."""
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):  # pydantic models
        return model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    return str(obj)


class PersonalDataScrubbingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with every value scrubbed of personal data first."""

    def serialize(self, log: LogRecord) -> str:
        # Round-trip through JSON first so that exceptions, models and other objects become
        # plain strings, lists and dicts that ``scrub`` can see into.
        plain: dict[str, Any] = json.loads(json.dumps({**log, **_invocation_keys.get()}, default=_to_plain, ensure_ascii=False))
        safe = {key: value if key in _FRAMEWORK_KEYS else scrub(value) for key, value in plain.items()}
        return super().serialize(safe)

    def format(self, record: logging.LogRecord) -> str:
        # A broken log call (say, too few %-arguments) must not raise, nor make logging
        # print the raw record to stderr: write a minimal, still scrubbed, line instead.
        try:
            return super().format(record)
        except Exception as error:  # noqa: BLE001
            return json.dumps(
                {
                    "level": record.levelname,
                    "location": f"{record.funcName}:{record.lineno}",
                    "message": scrub_text(str(_scrub_message(record.msg))),
                    "timestamp": self.formatTime(record),
                    "service": SERVICE,
                    "log_format_error": type(error).__name__,
                },
                default=str,
                ensure_ascii=False,
                separators=(",", ":"),
            )


_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_TRACEBACK_FORMATTER = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Scrubs a log record in place, so that no handler can see the raw values.

    The formatter alone protects our own JSON output; this also protects any other handler
    the record reaches (the root logger's, a test's log capture). Message arguments are
    merged into the message first, ``extra`` values are masked by key, and the traceback
    text is pre-rendered scrubbed. The exception object itself is left alone.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            try:
                record.msg = record.getMessage()
            except Exception as error:  # noqa: BLE001 - reported in the line, not raised
                record.log_format_error = type(error).__name__
            record.args = ()
        record.msg = _scrub_message(record.msg)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRIBUTES:
                setattr(record, key, scrub_item(key, value))
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub_text(_TRACEBACK_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True


def _scrub_message(message: Any) -> Any:
    if message is None or isinstance(message, bool | int | float):
        return message
    if isinstance(message, str | dict | list | tuple):
        return scrub(message)
    return scrub_text(str(message))


def install_scrubbing(target: Logger) -> Logger:
    """Make ``target`` scrub its records (``PersonalDataFilter`` on the logger and its
    handler) and write through ``PersonalDataScrubbingFormatter``. Safe to call twice.

    Powertools configures a logger only the first time its service name is seen, so if
    some other ``Logger(service="yunchetong")`` was created first, ours would silently keep
    that one's plain formatter. This swaps it in, keeping the keys already appended.
    """
    handler = target.registered_handler
    for filterer in (logging.getLogger(target.name), handler):
        if not any(isinstance(f, PersonalDataFilter) for f in filterer.filters):
            filterer.addFilter(PersonalDataFilter())
    current = handler.formatter
    if isinstance(current, PersonalDataScrubbingFormatter):
        return target
    formatter = PersonalDataScrubbingFormatter()
    if isinstance(current, BasePowertoolsFormatter):
        formatter.append_keys(**current.get_current_keys())
    else:
        formatter.append_keys(service=target.service, sampling_rate=target.sampling_rate)
    handler.setFormatter(formatter)
    return target


logger = install_scrubbing(Logger(service=SERVICE, logger_formatter=PersonalDataScrubbingFormatter()))

# These libraries print whole requests (items with names, phones, ID numbers) at DEBUG, past our
# masking; they stay at INFO whatever log level the function is given.
for _chatty in ("pynamodb", "botocore", "boto3", "urllib3", "s3transfer"):
    logging.getLogger(_chatty).setLevel(logging.INFO)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)

# The figures that matter, as metrics the alarms use (infra/cdk/monitoring.py): names and counts only.
CASES_REPORTED = "CasesReported"
LETTERS_ISSUED = "LettersIssued"
WORKFLOW_STEP_ERRORS = "WorkflowStepErrors"


def count(name: str, **dimensions: str) -> None:
    """One occurrence of `name`: a CloudWatch metric (an EMF line on stdout, which Lambda's logs turn
    into the metric), namespace `Yunchetong`, dimension `service` plus `dimensions`. Written at once,
    so an API request or a step needs no flush; off where Powertools metrics are disabled (tests,
    the local stack). Dimensions name things (a workflow), never a person or a case."""
    if is_metrics_disabled():
        return
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        default_dimensions={"service": SERVICE, **dimensions},
    ):
        pass


def bind_case(case_id: str | None = None, execution_id: str | None = None) -> None:
    """Add ``case_id`` and/or the Step Functions ``execution_id`` to this invocation's following log lines.

    Only the arguments given are changed; call ``clear_case`` at the end of the invocation.
    """
    keys = {key: value for key, value in (("case_id", case_id), ("execution_id", execution_id)) if value is not None}
    if keys:
        _invocation_keys.set(MappingProxyType({**_invocation_keys.get(), **keys}))


def clear_case() -> None:
    """Stop adding ``case_id`` and ``execution_id`` to log lines."""
    _invocation_keys.set(MappingProxyType({k: v for k, v in _invocation_keys.get().items() if k not in CASE_KEYS}))


def function_handler(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A Lambda function's entry point: its context (name, request id, cold start) on the log lines
    of this invocation only, whatever an earlier invocation left, and gone when it returns."""

    @functools.wraps(handler)
    def invoke(event: Any, context: Any) -> Any:
        global _cold_start
        cold, _cold_start = _cold_start, False
        started = _invocation_keys.set(MappingProxyType({"cold_start": cold, **vars(build_lambda_context_model(context))}))
        try:
            return handler(event, context)
        finally:
            _invocation_keys.reset(started)

    return invoke


__all__ = [
    "CASES_REPORTED",
    "LETTERS_ISSUED",
    "WORKFLOW_STEP_ERRORS",
    "PersonalDataFilter",
    "PersonalDataScrubbingFormatter",
    "bind_case",
    "clear_case",
    "count",
    "function_handler",
    "install_scrubbing",
    "logger",
    "metrics",
]
