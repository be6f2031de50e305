"""Scheduled Lambda: publish every configured unit's report of the previous Beijing month (EventBridge
Scheduler, the 1st at 00:30 Asia/Shanghai). The event's `time` picks the month; `{"month": "YYYY-MM"}`
runs a given month (`make report`)."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from functions.report_schedule import publish

    return publish("MONTH", event)
