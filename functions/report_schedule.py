"""What the daily and monthly report functions share: which period an event asks for, and one report
per configured unit. A failed unit fails the run (after the others are published), so the
schedule's failure alarm fires and a re-run repeats only what is missing or stale."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.observability import logger


def period_of(kind: str, event: dict[str, Any]) -> Any:
    from chalicelib.domain import report_period

    moment = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) if event.get("time") else datetime.now(UTC)
    if kind == "DAY":
        given = event.get("date")
        return report_period.requested("DAY", given, None, datetime.now(UTC)) if given else report_period.previous_day(moment)
    given = event.get("month")
    return report_period.requested("MONTH", None, given, datetime.now(UTC)) if given else report_period.previous_month(moment)


def publish(kind: str, event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.services import reports

    period = period_of(kind, event)
    done, failed = [], []
    for unit in reports.units():
        try:
            reports.run(None, period, unit)
            done.append(unit)
        except Exception:  # noqa: BLE001 (one unit failing must not stop the others; the run fails below)
            logger.exception("report failed", extra={"unit": unit, "period": period.period, "label": period.label})
            failed.append(unit)
    if failed:
        raise RuntimeError(f"{period.period} report {period.label} failed for {len(failed)} of {len(failed) + len(done)} units")
    logger.info("reports published", extra={"period": period.period, "label": period.label, "units": len(done)})
    return {"period": period.period, "label": period.label, "units": done}
