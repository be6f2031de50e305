"""Scheduled Lambda: deliver the outbox's due webhooks to insurers (EventBridge, every minute)."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler, logger
from chalicelib.services.delivery import deliver_due


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    # Each run takes at most `limit` messages; what is left is picked up on the next minute.
    outcomes = deliver_due(
        limit=int(event.get("limit", 200)), seconds_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    logger.info("delivery run", extra={"outcomes": outcomes})
    return outcomes
