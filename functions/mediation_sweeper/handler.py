"""Scheduled Lambda: terminate the mediations that ran past their 10 working days (EventBridge, hourly),
and record the claims whose insurer's statutory clock ran out unanswered (issue 15, `claimsOverdue`).

Both deadlines would otherwise pass unnoticed: nothing else ends a mediation nobody closes, and
nothing writes when an insurer simply does not answer. The units come from configuration and each
is one Query of its MEDIATING queue and one of its insurer-clock index: no Scan."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from chalicelib.services.claims_clock import record_overdue_everywhere
    from chalicelib.services.mediation import close_overdue_everywhere

    terminated = close_overdue_everywhere()
    claims_overdue = record_overdue_everywhere()
    logger.info("mediation sweep", extra={"terminated": terminated, "claimsOverdue": claims_overdue})
    return {"terminated": terminated, "claimsOverdue": claims_overdue}
