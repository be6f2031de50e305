"""Scheduled Lambda: publish every configured unit's report of the previous Beijing day (EventBridge
Scheduler, 00:10 Asia/Shanghai). The event's `time` (the scheduled time) picks the day, so a late or
repeated run reports the same day; `{"date": "YYYY-MM-DD"}` runs a given day (`make report`)."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from functions.report_schedule import publish

    return publish("DAY", event)
