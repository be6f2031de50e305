"""Scheduled Lambda: from 1 December, publish whether next year's working-day calendar is missing
(metric `NextYearCalendarMissing`, 1 or 0), so an alarm tells the operator to load it before
deadlines counted in late December run into a year whose holidays are unknown."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.observability import function_handler, logger, metrics


@metrics.log_metrics
@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.services.calendar import NEXT_YEAR_MISSING_METRIC, missing_next_year

    missing = missing_next_year()
    metrics.add_metric(name=NEXT_YEAR_MISSING_METRIC, unit=MetricUnit.Count, value=1 if missing else 0)
    logger.info("calendar check", extra={"missing_year": missing})
    return {"missingYear": missing}
