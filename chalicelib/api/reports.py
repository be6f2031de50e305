"""Reports (issue 15): run one now, read a published one with download links, today's figures so far.
Supervisors and officers, for their own unit only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.reports import LiveFigures, ReportQuery, RunReport
    from chalicelib.store.reports import PublishedReport

blueprint = Blueprint(__name__)
REPORTS = "chalicelib.contracts.reports"
READERS = frozenset({Role.SUPERVISOR, Role.OFFICER})


def _shown(report: PublishedReport) -> dict[str, Any]:
    from chalicelib.contracts.reports import ReportFile, ReportView
    from chalicelib.services import reports

    files = [ReportFile(name=stored.name, content_type=stored.content_type, url=url) for stored, url in reports.download_links(report)]
    return ReportView.model_validate(
        {"period": report.period.period, report.period.field: report.period.label, "jurisdiction": report.unit,
         "generated_at": report.generated_at, "figures": report.figures, "files": files}
    ).wire()


@operation(
    blueprint, "/admin/reports", "POST",
    summary="Run the caller's unit's report of a day or a month now (a re-run replaces it, keeping the previous version)",
    roles=READERS, body=f"{REPORTS}:RunReport", reply=f"{REPORTS}:ReportView",
)
def run_report(principal: Principal, body: RunReport) -> dict[str, Any]:
    from datetime import UTC, datetime

    from chalicelib.domain.report_period import requested
    from chalicelib.services import reports

    period = requested(body.period, body.date, body.month, datetime.now(UTC))
    return _shown(reports.run(principal, period, reports.own_unit(principal)))


@operation(
    blueprint, "/portal/reports", "GET",
    summary="The caller's unit's published report of a day or a month, with short-lived download links",
    roles=READERS, query=f"{REPORTS}:ReportQuery", reply=f"{REPORTS}:ReportView",
)
def get_report(principal: Principal, query: ReportQuery) -> dict[str, Any]:
    from datetime import UTC, datetime

    from chalicelib.domain.report_period import requested
    from chalicelib.services import reports

    return _shown(reports.find(principal, requested(query.period, query.date, query.month, datetime.now(UTC))))


@operation(
    blueprint, "/portal/reports/live", "GET",
    summary="The caller's unit's figures of today so far (Beijing day)",
    roles=READERS, reply=f"{REPORTS}:LiveFigures",
)
def live_figures(principal: Principal) -> LiveFigures:
    from datetime import UTC, datetime

    from chalicelib.contracts.reports import LiveFigures
    from chalicelib.services import reports

    now = datetime.now(UTC)
    today, figures = reports.live(principal, now)
    return LiveFigures(jurisdiction=reports.own_unit(principal), date=today.isoformat(), as_of=now.isoformat(), figures=figures)
