"""A report's files (chalicelib/documents/report.py): the PDF opens and carries its figures as text and
its four charts as drawn bars, the CSV has one row per figure (UTF-8 with BOM), the JSON the reply shape."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pypdfium2
import pytest
from pypdf import PdfReader

from chalicelib.documents import report_charts
from chalicelib.documents.report import ReportContent, render_csv, render_json, render_pdf
from chalicelib.domain.report_figures import COUNTED, TIMED, figures
from chalicelib.domain.report_period import ReportPeriod, day

LETTER = [1.5, 3.0, 4.0, 4.5, 6.0, 8.0, 12.0, 20.0, 45.0, 70.0]
COUNTS = {"casesReported": 37, "casesRemote": 31, "lettersIssued": 29, "insurerPaidFen": 1_234_567, "fundAdvancedFen": 345_600}
DURATIONS = {"minutesToLetter": LETTER, "minutesToAccept": [1.0, 2.0, 3.0], "minutesToArrive": [12.0, 18.0, 25.0]}
CHART_COLOURS = {
    "cases per day": [report_charts.CASES_COLOUR],
    "minutes to letter": [report_charts.LETTER_COLOUR],
    "rescue minutes": [report_charts.ACCEPT_COLOUR, report_charts.ARRIVE_COLOUR],
    "money by payer": [report_charts.INSURER_COLOUR, report_charts.FUND_COLOUR],
}


def content(period: ReportPeriod | None = None, counts: dict | None = None, durations: dict | None = None) -> ReportContent:
    return ReportContent(
        unit_code="320900",
        unit_name="盐城市公安局交通警察支队",
        period=period or day(date(2026, 10, 31)),
        generated_at=datetime(2026, 10, 31, 16, 10, tzinfo=UTC),
        figures=figures(COUNTS if counts is None else counts, DURATIONS if durations is None else durations),
        cases_per_day=[(date(2026, 10, d), d) for d in range(25, 32)],
        minutes_to_letter=LETTER if durations is None else list(durations.get("minutesToLetter", [])),
    )


def _pixels_of(pdf: bytes) -> dict[tuple[int, int, int], int]:
    """How many pixels of each colour the rendered pages have."""
    counts: dict[tuple[int, int, int], int] = {}
    document = pypdfium2.PdfDocument(pdf)
    for index in range(len(document)):
        image = document[index].render(scale=1).to_pil().convert("RGB")
        for n, colour in image.getcolors(maxcolors=1 << 24):
            counts[colour] = counts.get(colour, 0) + n
    return counts


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_the_pdf_opens_in_chinese_and_carries_its_figures_as_text():
    pdf = render_pdf(content())

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "道路交通事故远程处理统计日报" in text and "2026年10月31日" in text
    assert "生成时间：2026年11月01日00时10分" in text  # Beijing time
    for label, value in (("报警案件数", "37"), ("远程处理案件数", "31"), ("出具认定书数", "29")):
        assert label in text and value in text
    assert "人民币 12,345.67 元" in text and "人民币 3,456.00 元" in text
    assert "中位数 7，P90 47.5（10例）" in text  # minutes to letter of LETTER


@pytest.mark.parametrize("chart", sorted(CHART_COLOURS))
def test_each_chart_is_drawn_with_its_bars(chart):
    pixels = _pixels_of(render_pdf(content()))

    for colour in CHART_COLOURS[chart]:
        assert pixels.get(_rgb(colour), 0) > 500, f"{chart}: no bars of {colour} on the page"


def test_a_report_whose_rescue_and_money_are_zero_draws_no_such_bars():
    # the colour check above fails when a chart's bars are missing
    pixels = _pixels_of(render_pdf(content(counts={"casesReported": 3}, durations={"minutesToLetter": [2.0, 4.0]})))

    assert pixels.get(_rgb(report_charts.CASES_COLOUR), 0) > 500
    for colour in (report_charts.ACCEPT_COLOUR, report_charts.ARRIVE_COLOUR, report_charts.INSURER_COLOUR, report_charts.FUND_COLOUR):
        assert pixels.get(_rgb(colour), 0) < 200  # at most the legend's swatches


def test_the_histogram_counts_each_duration_in_one_bin():
    assert report_charts.histogram(LETTER) == [1, 3, 2, 1, 1, 1, 1]
    assert sum(report_charts.histogram([0.0, 2.0, 5.0, 60.0, 1000.0])) == 5


def test_the_csv_has_a_bom_and_one_row_per_figure():
    raw = render_csv(content())

    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["figure"] for row in rows] == [*COUNTED, *TIMED]
    by_name = {row["figure"]: row for row in rows}
    assert by_name["casesReported"]["value"] == "37" and by_name["casesReported"]["label"] == "报警案件数"
    assert by_name["insurerPaidFen"]["value"] == "1234567" and by_name["insurerPaidFen"]["unit"] == "分"
    letter = by_name["minutesToLetter"]
    assert (letter["median"], letter["p90"], letter["count"]) == ("7", "47.5", "10")
    assert by_name["minutesEvidence"]["median"] == "" and by_name["minutesEvidence"]["count"] == "0"


def test_the_json_has_the_reply_shape():
    month = content(ReportPeriod("MONTH", "2026-10"))

    body = json.loads(render_json(month))

    assert set(body) == {"period", "month", "jurisdiction", "generatedAt", "figures"}
    assert body["period"] == "MONTH" and body["month"] == "2026-10" and body["jurisdiction"] == "320900"
    assert body["figures"]["casesReported"] == 37
    assert body["figures"]["minutesToLetter"] == {"median": 7.0, "p90": 47.5, "count": 10}
    assert "月报" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(month))).pages)
