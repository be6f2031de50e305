"""Reports (issue 15): read a unit's figures for a period, render the PDF, CSV and JSON, publish them
to the reports bucket under stable keys (a re-run adds versions, ADR 0028), record the report's item,
and serve it back with short-lived links. Run by a supervisor or officer for their own unit
(`POST /admin/reports`) and by the daily and monthly schedules for every configured unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib import config
from chalicelib.domain import report_period
from chalicelib.domain.principals import Principal
from chalicelib.domain.report_figures import Figures, figures
from chalicelib.domain.report_period import ReportPeriod
from chalicelib.errors import Forbidden, NotFound
from chalicelib.integrations import report_store
from chalicelib.observability import logger
from chalicelib.store import report_reads
from chalicelib.store import reports as published
from chalicelib.store.reports import PublishedReport

SYSTEM = "system:schedule"
TREND_DAYS = 7  # a daily report draws the cases of the week ending on its day


def units() -> list[str]:
    """Every configured police unit: the schedules publish one report each."""
    return [unit["code"] for unit in config.load("jurisdictions")["units"]]


def unit_name(code: str) -> str:
    return next((u["name"] for u in config.load("jurisdictions")["units"] if u["code"] == code), code)


def own_unit(principal: Principal) -> str:
    """The caller's unit: reports are read and run for it only (a city-level code reads its own items)."""
    if not principal.jurisdiction:
        raise Forbidden("reports belong to a police unit; this account has none", field="Authorization")
    return principal.jurisdiction


def chart_days(period: ReportPeriod) -> list[date]:
    """The days of the cases-per-day chart: a month's days, or the week ending on a day."""
    if period.period == "MONTH":
        return period.days
    last = period.days[0]
    return [last - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]


def run(actor: Principal | None, period: ReportPeriod, unit: str, now: datetime | None = None) -> PublishedReport:
    """Read, render, publish and record the unit's report of the period; a re-run replaces it."""
    from chalicelib.documents.report import ReportContent, render_csv, render_json, render_pdf

    generated_at = (now or datetime.now(UTC)).astimezone(UTC)
    trend = chart_days(period)
    parts = report_reads.days_parts(unit, sorted(set(trend) | set(period.days)))
    counts, durations = report_reads.combine(parts[day] for day in period.days)
    content = ReportContent(
        unit_code=unit,
        unit_name=unit_name(unit),
        period=period,
        generated_at=generated_at,
        figures=figures(counts, durations),
        cases_per_day=[(day, parts[day][0]["casesReported"]) for day in trend],
        minutes_to_letter=durations["minutesToLetter"],
    )
    folder = f"{period.period}-{period.label}"
    files = tuple(
        report_store.put(report_store.report_key(unit, folder, name), name, body, content_type)
        for name, body, content_type in (
            ("report.json", render_json(content), "application/json; charset=utf-8"),
            ("report.csv", render_csv(content), "text/csv; charset=utf-8"),
            ("report.pdf", render_pdf(content), "application/pdf"),
        )
    )
    report = PublishedReport(
        unit=unit,
        period=period,
        generated_at=generated_at.isoformat(),
        generated_by=actor.audit_name if actor else SYSTEM,
        figures=content.figures,
        files=files,
    )
    published.record(report)
    logger.info("report published", extra={"unit": unit, "period": period.period, "label": period.label})
    return report


def run_everywhere(period: ReportPeriod, now: datetime | None = None) -> list[PublishedReport]:
    """The schedules' run: one report per configured unit."""
    return [run(None, period, unit, now) for unit in units()]


def find(principal: Principal, period: ReportPeriod) -> PublishedReport:
    report = published.find(own_unit(principal), period)
    if report is None:
        raise NotFound(f"no {period.period} report for {period.label} was run yet (POST /admin/reports runs one)", field=period.field)
    return report


def download_links(report: PublishedReport) -> list[tuple[report_store.StoredFile, str]]:
    return [(stored, report_store.download_url(stored)) for stored in report.files]


def live(principal: Principal, now: datetime | None = None) -> tuple[date, Figures]:
    """Today's figures so far (Beijing day): one Query, nothing published."""
    today = report_period.beijing_today(now or datetime.now(UTC))
    return today, report_reads.period_figures(own_unit(principal), [today])
