"""Scheduled Lambda: terminate the mediations that ran past their 10 working days (EventBridge, hourly).

Art.89's deadline would otherwise pass unnoticed: nothing else ends a mediation nobody closes.
The units come from configuration and each is one Query of its MEDIATING queue: no Scan."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from chalicelib.services.mediation import close_overdue_everywhere

    terminated = close_overdue_everywhere()
    logger.info("mediation sweep", extra={"terminated": terminated})
    return {"terminated": terminated}
