"""The report's four charts, drawn with reportlab's own chart module (`reportlab.graphics`): cases per
day (bars), the minutes-to-letter distribution (a histogram of the duration items), rescue minutes
(median and p90 to accept and to arrive) and money by payer (insurer's direct pay vs the fund's
advances, in yuan). Each chart has fill colours of its own, so a test can find it on the page.

reportlab is imported inside the functions, never at module import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from chalicelib.documents.layout import CONTENT_WIDTH, FONT, MM, register_font
from chalicelib.domain.report_figures import Distribution

# Fill colours (hex RGB): one per chart series.
CASES_COLOUR = "#2f6db5"
LETTER_COLOUR = "#3a9d5d"
ACCEPT_COLOUR = "#e08a1e"
ARRIVE_COLOUR = "#8e5bb5"
INSURER_COLOUR = "#c0392b"
FUND_COLOUR = "#16a085"

# Histogram bins of minutes from report to letter: the target is five minutes.
LETTER_BINS: tuple[tuple[float, float | None, str], ...] = (
    (0, 2, "0-2"), (2, 5, "2-5"), (5, 10, "5-10"), (10, 15, "10-15"), (15, 30, "15-30"), (30, 60, "30-60"), (60, None, "60+"),
)
HEIGHT = 62 * MM


def histogram(minutes: Sequence[float]) -> list[int]:
    """How many durations fall in each of LETTER_BINS (low bound included, high excluded)."""
    counts = [0] * len(LETTER_BINS)
    for value in minutes:
        for i, (low, high, _) in enumerate(LETTER_BINS):
            if value >= low and (high is None or value < high):
                counts[i] += 1
                break
    return counts


def _drawing(title: str) -> tuple[Any, Any]:
    from reportlab.graphics.shapes import Drawing, String

    register_font()
    drawing = Drawing(CONTENT_WIDTH, HEIGHT)
    drawing.add(String(0, HEIGHT - 12, title, fontName=FONT, fontSize=10))
    return drawing, String


def _bars(data: list[list[float]], names: list[str], colours: Sequence[str], label_format: str, horizontal: bool = False) -> Any:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
    from reportlab.lib import colors

    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (28 * MM, 10 * MM) if horizontal else (14 * MM, 14 * MM)
    chart.width = CONTENT_WIDTH - chart.x - 24 * MM
    chart.height = HEIGHT - chart.y - 28  # room for the title and the labels over the bars
    chart.data = data
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if max((v for series in data for v in series), default=0) <= 0:
        chart.valueAxis.valueMax = 1  # an empty period still draws its axes
    chart.barLabelFormat = label_format
    chart.barLabels.nudge = 7  # above (beside) the bar, not over its end
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    for i, colour in enumerate(colours):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    return chart


def _legend(drawing: Any, entries: Sequence[tuple[str, str]]) -> None:
    from reportlab.graphics.shapes import Rect, String
    from reportlab.lib import colors

    x = CONTENT_WIDTH - 60 * MM
    for i, (colour, text) in enumerate(entries):
        drawing.add(Rect(x + i * 30 * MM, HEIGHT - 12, 8, 8, fillColor=colors.HexColor(colour), strokeColor=None))
        drawing.add(String(x + i * 30 * MM + 11, HEIGHT - 11, text, fontName=FONT, fontSize=8))


def cases_per_day(series: Sequence[tuple[date, int]]) -> Any:
    drawing, _ = _drawing("每日报警案件数")
    drawing.add(_bars([[float(n) for _, n in series]], [f"{d.month}/{d.day}" for d, _ in series], [CASES_COLOUR], "%d"))
    return drawing


def letter_minutes(minutes: Sequence[float], summary: Distribution) -> Any:
    drawing, _ = _drawing(f"报警至出具认定书用时分布（分钟；中位数 {_shown(summary.median)}，P90 {_shown(summary.p90)}）")
    drawing.add(_bars([[float(n) for n in histogram(minutes)]], [label for *_, label in LETTER_BINS], [LETTER_COLOUR], "%d"))
    return drawing


def rescue_minutes(accept: Distribution, arrive: Distribution) -> Any:
    drawing, _ = _drawing("救援用时（分钟）")
    data = [[accept.median or 0.0, accept.p90 or 0.0], [arrive.median or 0.0, arrive.p90 or 0.0]]
    drawing.add(_bars(data, ["中位数", "P90"], [ACCEPT_COLOUR, ARRIVE_COLOUR], "%g"))
    _legend(drawing, [(ACCEPT_COLOUR, f"接单（{accept.count}单）"), (ARRIVE_COLOUR, f"到达（{arrive.count}单）")])
    return drawing


def money_by_payer(insurer_fen: int, fund_fen: int) -> Any:
    drawing, _ = _drawing("医疗费用按支付方（元）")
    chart = _bars([[insurer_fen / 100, fund_fen / 100]], ["保险公司直赔", "救助基金垫付"], [INSURER_COLOUR], "%.2f", horizontal=True)
    chart.bars[(0, 1)].fillColor = _colour(FUND_COLOUR)
    drawing.add(chart)
    return drawing


def _colour(hex_rgb: str) -> Any:
    from reportlab.lib import colors

    return colors.HexColor(hex_rgb)


def _shown(value: float | None) -> str:
    return "无" if value is None else f"{value:g}"
