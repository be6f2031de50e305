"""A function's Lambda context stays on its own log lines: the API's request lines that follow it
(or run beside it, as in the local stack's one process) carry no function name or request id."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from chalicelib.observability import logger

FUNCTION_KEYS = ("function_name", "function_request_id", "function_arn", "cold_start")


@pytest.fixture
def log_lines():
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    finally:
        handler.setStream(previous)


def _request_lines(lines):
    return [line for line in lines if line.get("message") == "request"]


def test_given_a_function_invoked_when_an_api_request_follows_then_its_log_line_has_no_function_context(api, log_lines):
    from functions.deliverer.handler import handler
    from infra.local.lambdas import LambdaContext

    handler({}, LambdaContext(function_name="yunchetong-test-deliverer"))
    run = [line for line in log_lines() if line.get("message") == "delivery run"]
    assert run and run[0]["function_name"] == "yunchetong-test-deliverer"  # the function's own line has it

    api.call("GET", "/health")
    [request] = _request_lines(log_lines())
    assert not set(FUNCTION_KEYS) & set(request), request


def test_given_a_function_running_in_another_thread_when_an_api_request_is_logged_then_it_has_no_function_context(api, log_lines):
    from functions.deliverer import handler as deliverer
    from infra.local.lambdas import LambdaContext

    inside, release = threading.Event(), threading.Event()

    def deliver_due(limit, seconds_left):
        inside.set()
        release.wait(60)
        return {}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deliverer, "deliver_due", deliver_due)
        running = threading.Thread(target=deliverer.handler, args=({}, LambdaContext(function_name="yunchetong-test-deliverer")))
        running.start()
        try:
            assert inside.wait(60)
            api.call("GET", "/health")
        finally:
            release.set()
            running.join(60)
    [request] = _request_lines(log_lines())
    assert not set(FUNCTION_KEYS) & set(request), request
