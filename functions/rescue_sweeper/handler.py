"""Scheduled Lambda: end rescue orders whose workflow run is no longer running (EventBridge).

A run that was stopped by hand, timed out or never started would otherwise leave its order
open and its truck reserved; this releases the truck through the workflow's own compensation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from chalicelib.services.rescue.steps import release_orphans

    # Younger orders may still be starting their run (the tap writes the order, then starts it).
    ended = release_orphans("RunEnded", older_than=timedelta(minutes=int(event.get("graceMinutes", 5))))
    logger.info("rescue sweep", extra={"ended": ended})
    return {"ended": ended}
