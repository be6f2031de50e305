"""HTTP middleware: one structured log line per request, with the case id when there is one, bodies
over the size limit refused before anything parses them, and Chalice's own errors (unknown method,
unhandled exception) in the API's error shape."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib import collector
from chalicelib.api.routing import error_response, json_response
from chalicelib.errors import PayloadTooLarge
from chalicelib.observability import bind_case, clear_case, logger
from chalicelib.settings import get_settings

_CHALICE_CODES = {"MethodNotAllowedError": "MethodNotAllowed", "InternalServerError": "InternalError"}


def _in_error_shape(response: Response) -> Response:
    """Chalice answers some errors itself as {"Code", "Message"}; clients get one shape only."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = _CHALICE_CODES.get(body["Code"], body["Code"])
    message = "an internal error occurred" if response.status_code >= 500 else str(body.get("Message", ""))
    headers = {k: str(v) for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response({"error": {"code": code, "message": message, "field": None}}, response.status_code, headers)


def _too_large(event: Any) -> Response | None:
    """A 10 MB array parsed by pydantic took the server from 0.7 to 2.1 GB: the size is checked
    first, for every route (JSON, signed webhooks, WeChat pushes alike)."""
    limit = get_settings().max_body_bytes
    if len(getattr(event, "raw_body", None) or b"") <= limit:
        return None
    return error_response(PayloadTooLarge(f"the body is over {limit} bytes", field="body", limit=limit))


def log_requests(event: Any, get_response: Callable[[Any], Any]) -> Any:
    started = time.perf_counter()
    params = getattr(event, "uri_params", None) or {}
    bind_case(case_id=params.get("caseId"))
    try:
        response = _too_large(event) or _in_error_shape(get_response(event))
        logger.info(
            "request",
            extra={
                "method": event.method,
                "route": event.context.get("resourcePath"),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
    finally:
        clear_case()
        collector.resume()  # once, after the first request (ADR 0039)


