"""Published reports: one small item per unit and period (pk `REPORT#<unit>`, sk `<DAY|MONTH>#<label>`)
with when it was made, by whom, its figures as published and the S3 versions of its files. A re-run
replaces the item (its files got new versions of the same keys); one Query lists a unit's reports."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.report_figures import Figures
from chalicelib.domain.report_period import ReportPeriod
from chalicelib.integrations.report_store import StoredFile
from chalicelib.store.table import TableItem, TableMeta
from chalicelib.store.typed_attributes import TypedListAttribute, TypedMapAttribute

# The partitions of published reports, as an IAM `dynamodb:LeadingKeys` pattern (infra/cdk/reports.py).
LEADING_KEYS = "REPORT#*"


class ReportItem(TableItem):
    class Meta(TableMeta):
        pass

    unit = UnicodeAttribute()
    period = UnicodeAttribute()
    label = UnicodeAttribute()
    generated_at = UnicodeAttribute()
    generated_by = UnicodeAttribute()
    figures: TypedMapAttribute[Figures] = TypedMapAttribute(Figures)
    files: TypedListAttribute[StoredFile] = TypedListAttribute(StoredFile)  # each file's S3 key and version


@dataclass(frozen=True)
class PublishedReport:
    unit: str
    period: ReportPeriod
    generated_at: str
    generated_by: str
    figures: Figures
    files: tuple[StoredFile, ...]


def _key(unit: str, period: ReportPeriod) -> tuple[str, str]:
    return f"REPORT#{unit}", f"{period.period}#{period.label}"


def record(report: PublishedReport) -> None:
    """Write (or replace: the last run wins, with its files' versions) the report's item."""
    pk, sk = _key(report.unit, report.period)
    ReportItem(
        pk=pk,
        sk=sk,
        unit=report.unit,
        period=report.period.period,
        label=report.period.label,
        generated_at=report.generated_at,
        generated_by=report.generated_by,
        figures=report.figures,
        files=list(report.files),
    ).save()


def find(unit: str, period: ReportPeriod) -> PublishedReport | None:
    """The unit's report of the period, or None when it was never run."""
    try:
        item = ReportItem.get(*_key(unit, period), consistent_read=True)
    except ReportItem.DoesNotExist:
        return None
    return PublishedReport(
        unit=item.unit,
        period=period,
        generated_at=item.generated_at,
        generated_by=item.generated_by,
        figures=item.figures,
        files=tuple(item.files),
    )
