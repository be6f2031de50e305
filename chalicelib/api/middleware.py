"""HTTP middleware: one structured log line per request, with the case id when there is one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.observability import bind_case, clear_case, logger


def log_requests(event: Any, get_response: Callable[[Any], Any]) -> Any:
    started = time.perf_counter()
    params = getattr(event, "uri_params", None) or {}
    bind_case(case_id=params.get("caseId"))
    try:
        response = get_response(event)
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
