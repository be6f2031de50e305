"""A published report's three files (issue 15): the PDF (Simplified Chinese, the figures table and
four charts from `report_charts`), the CSV (one row per figure, UTF-8 with a BOM so that Excel
reads the Chinese labels) and the JSON (the API's reply shape, without download links).

The figures and their arithmetic are `domain/report_figures.py`'s; this module only shows them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.documents import report_charts
from chalicelib.documents.layout import CONTENT_WIDTH, MM, build, format_moment, grid_style, para, styles
from chalicelib.documents.medical import yuan
from chalicelib.domain.report_figures import COUNTED, TIMED, Distribution, Figures
from chalicelib.domain.report_period import ReportPeriod

MONEY = frozenset({"insurerPaidFen", "fundAdvancedFen"})
LABELS: dict[str, str] = {
    "casesReported": "报警案件数",
    "casesRemote": "远程处理案件数",
    "casesOnScene": "转现场处理案件数",
    "lettersIssued": "出具认定书数",
    "agreementsSigned": "签署协议书数",
    "disputed": "有异议案件数",
    "claimsReported": "理赔报案数",
    "claimsPaid": "已赔付理赔数",
    "claimsOverdue": "超期未赔付理赔数",
    "rescueOrders": "救援工单数",
    "rescueEscalated": "救援升级处置数",
    "directPayPatients": "直赔救治伤员人数",
    "insurerPaidFen": "保险公司赔付金额",
    "fundAdvancedFen": "救助基金垫付金额",
    "mediationsRequested": "申请调解数",
    "mediationsAgreed": "调解达成协议数",
    "mediationsTerminated": "调解终结数",
    "minutesEvidence": "报警至取证完成用时（分钟）",
    "minutesToLetter": "报警至出具认定书用时（分钟）",
    "minutesToAccept": "救援派单至接单用时（分钟）",
    "minutesToArrive": "救援接单至到达用时（分钟）",
}
CSV_COLUMNS = ("figure", "label", "value", "unit", "median", "p90", "count")


@dataclass(frozen=True)
class ReportContent:
    """What a report shows: the unit, the period, when it was made, its figures, each day's cases
    (for a day: the week ending on it) and the minutes to letter of each case (the histogram)."""

    unit_code: str
    unit_name: str
    period: ReportPeriod
    generated_at: datetime
    figures: Figures
    cases_per_day: list[tuple[date, int]]
    minutes_to_letter: list[float]

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware")

    @property
    def title(self) -> str:
        return "道路交通事故远程处理统计" + ("日报" if self.period.period == "DAY" else "月报")

    @property
    def period_text(self) -> str:
        if self.period.period == "DAY":
            return date.fromisoformat(self.period.label).strftime("%Y年%m月%d日")
        year, month = self.period.label.split("-")
        return f"{year}年{month}月"

    @property
    def number(self) -> str:
        return f"{self.unit_code}-{self.period.period}-{self.period.label}"


def summary(content: ReportContent) -> dict[str, Any]:
    """The JSON form: the API's reply shape (`files` are download links, added when read)."""
    return {
        "period": content.period.period,
        content.period.field: content.period.label,
        "jurisdiction": content.unit_code,
        "generatedAt": content.generated_at.isoformat(),
        "figures": content.figures.model_dump(mode="json"),
    }


def render_json(content: ReportContent) -> bytes:
    return json.dumps(summary(content), ensure_ascii=False, indent=2).encode("utf-8")


def render_csv(content: ReportContent) -> bytes:
    """One row per figure; counted figures carry `value`, timed ones `median`, `p90` and `count`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for name in COUNTED:
        writer.writerow([name, LABELS[name], getattr(content.figures, name), _unit_of(name), "", "", ""])
    for name in TIMED:
        shown: Distribution = getattr(content.figures, name)
        writer.writerow([name, LABELS[name], "", "分钟", _blank(shown.median), _blank(shown.p90), shown.count])
    return out.getvalue().encode("utf-8-sig")


def _unit_of(name: str) -> str:
    return "分" if name in MONEY else "人" if name == "directPayPatients" else "件"


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _counted_text(name: str, value: int) -> str:
    return yuan(value) if name in MONEY else f"{value:,}"


def _timed_text(shown: Distribution) -> str:
    if not shown.count:
        return "无数据"
    return f"中位数 {shown.median:g}，P90 {shown.p90:g}（{shown.count}例）"


def _figures_table(figures: Figures) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table

    st = styles()
    rows = [(LABELS[name], _counted_text(name, getattr(figures, name))) for name in COUNTED]
    rows += [(LABELS[name], _timed_text(getattr(figures, name))) for name in TIMED]
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:] + [("", "")] * (2 * half - len(rows))
    cells = [
        [para(a, st.label), para(b, st.value), para(c, st.label), para(d, st.value)] for (a, b), (c, d) in zip(left, right, strict=True)
    ]
    label_w = 40 * MM
    table = Table(
        cells,
        colWidths=[label_w, CONTENT_WIDTH / 2 - label_w] * 2,
        style=grid_style([("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke), ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke)]),
    )
    table.hAlign = "CENTER"
    return table


def render_pdf(content: ReportContent) -> bytes:
    from reportlab.platypus import Spacer

    st = styles()
    figures = content.figures
    charts = [
        report_charts.cases_per_day(content.cases_per_day),
        report_charts.letter_minutes(content.minutes_to_letter, figures.minutesToLetter),
        report_charts.rescue_minutes(figures.minutesToAccept, figures.minutesToArrive),
        report_charts.money_by_payer(figures.insurerPaidFen, figures.fundAdvancedFen),
    ]
    story: list[Any] = [
        para(content.unit_name, st.unit),
        para(content.title, st.title),
        para(f"统计期间：{content.period_text}（北京时间）　生成时间：{format_moment(content.generated_at)}", st.number),
        para("一、主要指标", st.heading),
        _figures_table(figures),
        para("二、统计图表", st.heading),
    ]
    for chart in charts:
        story += [chart, Spacer(1, 4)]
    return build(story, title=f"{content.title}（{content.period_text}）", author=content.unit_name, document_number=content.number)
