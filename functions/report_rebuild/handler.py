"""Lambda: rebuild report figures from the cases' own records (issue 15, ADR 0027), run by hand to
repair drift: `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD", "unit": "320900"}`; without a unit,
every configured unit. One Query per day and per case: no Scan."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib import config
    from chalicelib.services.report_rebuild import rebuild

    first, last = date.fromisoformat(event["from"]), date.fromisoformat(event.get("to") or event["from"])
    units = [event["unit"]] if event.get("unit") else [unit["code"] for unit in config.load("jurisdictions")["units"]]
    done = [rebuild(unit, first, last) for unit in units]
    summary = {"from": first.isoformat(), "to": last.isoformat(), "units": units,
               "casesRead": sum(r.cases_read for r in done), "itemsWritten": sum(r.items_written for r in done)}
    logger.info("report rebuild", extra=summary)
    return summary
