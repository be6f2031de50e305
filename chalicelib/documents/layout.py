"""The building blocks every document shares: the font, paragraph styles, grids, the QR image,
the closing block with the verify link, the page footer and the A4 build.

Chinese text is set in reportlab's built-in ``STSong-Light`` CID font (Adobe-GB1, encoding
UniGB-UCS2-H): nothing to ship, and every field stays real text (pypdf's ``extract_text``
reads it back). QR codes are drawn by ``qrcode`` into a PNG and placed as an image. Documents
are built with ``invariant=1``: the same data gives the same bytes.

reportlab, qrcode and PIL are imported inside the functions, never at module import.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from chalicelib.documents.model import PartyLine
from chalicelib.domain.beijing_time import CHINA

FONT = "STSong-Light"
MISSING = "无"
VERIFY_CAPTION = "扫码核验真伪"

MM = 72 / 25.4  # points per millimetre (reportlab.lib.units.mm, without importing reportlab)
CONTENT_WIDTH = 170 * MM  # A4 (210 mm) less 20 mm margins either side
font_lock = threading.Lock()


# --- formatting ------------------------------------------------------------------------


def format_moment(moment: datetime) -> str:
    """An aware moment as printed: Beijing time, e.g. 2026年10月01日08时41分."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日%H时%M分")


def format_day(day: date) -> str:
    """A calendar day as printed, e.g. 2026年10月09日."""
    return day.strftime("%Y年%m月%d日")


# --- building blocks -------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    unit: Any
    title: Any
    number: Any
    heading: Any
    body: Any
    statement: Any
    item: Any
    label: Any
    value: Any
    party: Any
    sign: Any
    caption: Any
    url: Any


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    with font_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@cache
def styles() -> Styles:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    register_font()

    def style(name: str, size: float, **extra: Any) -> Any:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.45, wordWrap="CJK", **extra)

    return Styles(
        unit=style("unit", 12, alignment=TA_CENTER, spaceAfter=2),
        title=style("title", 18, alignment=TA_CENTER, spaceAfter=6),
        number=style("number", 10, alignment=TA_RIGHT, spaceAfter=6),
        heading=style("heading", 12, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        body=style("body", 10.5, firstLineIndent=21),
        statement=style("statement", 10.5, firstLineIndent=21, spaceBefore=8),
        item=style("item", 10.5, leftIndent=10.5, spaceAfter=2),
        label=style("label", 9),
        value=style("value", 10),
        party=style("party", 10.5, alignment=TA_CENTER),
        sign=style("sign", 10.5),
        caption=style("caption", 9, alignment=TA_CENTER),
        url=style("url", 8, alignment=TA_RIGHT),
    )


def para(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def shown(value: str | None) -> str:
    return value if value else MISSING


def liability_line(party: PartyLine) -> str:
    return f"{party.label}{party.name}：{party.liability}"


PARTY_W = 10 * MM  # the 甲方 / 乙方 column, written top to bottom
LABEL_W = 29 * MM
VALUE_W = (CONTENT_WIDTH - PARTY_W - 2 * LABEL_W) / 2


def grid_style(extra: Sequence[tuple[Any, ...]]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            *extra,
        ]
    )


def info_table(rows: Sequence[tuple[str, ...]]) -> Any:
    """Label/value rows: four cells (two pairs) or two cells (one pair spanning the width)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table

    st = styles()
    cells: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for r, row in enumerate(rows):
        if len(row) == 4:
            cells.append([para(row[0], st.label), para(row[1], st.value), para(row[2], st.label), para(row[3], st.value)])
            extra.append(("BACKGROUND", (2, r), (2, r), colors.whitesmoke))
        else:
            cells.append([para(row[0], st.label), para(row[1], st.value), "", ""])
            extra.append(("SPAN", (1, r), (3, r)))
        extra.append(("BACKGROUND", (0, r), (0, r), colors.whitesmoke))
    # Same grid as the party tables: the first label spans their party column.
    table = Table(cells, colWidths=[PARTY_W + LABEL_W, VALUE_W, LABEL_W, VALUE_W], style=grid_style(extra))
    table.hAlign = "CENTER"
    return table


def party_table(party: PartyLine) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Spacer, Table

    st = styles()
    pairs = [
        ("姓名", party.name, "驾驶证或身份证号", party.id_number),
        ("联系电话", party.phone, "当事人类型", party.kind),
        ("车辆类型", shown(party.vehicle_type), "号牌号码", shown(party.plate)),
        ("保险公司", shown(party.insurer), "保险单号", shown(party.policy_no)),
        ("碰撞部位", shown(party.collision_part), "事故责任", party.liability),
    ]
    cells: list[list[Any]] = [
        [para(party.label, st.party) if r == 0 else "", *(para(x, s) for x, s in zip(row, (st.label, st.value) * 2, strict=True))]
        for r, row in enumerate(pairs)
    ]
    cells.append(["", para("签字情况", st.label), para(party.signature, st.value), "", ""])
    last = len(cells) - 1
    table = Table(
        cells,
        colWidths=[PARTY_W, LABEL_W, VALUE_W, LABEL_W, VALUE_W],
        style=grid_style(
            [
                ("SPAN", (0, 0), (0, last)),
                ("SPAN", (2, last), (4, last)),
                ("BACKGROUND", (0, 0), (0, last), colors.lightgrey),
                ("BACKGROUND", (1, 0), (1, last), colors.whitesmoke),
                ("BACKGROUND", (3, 0), (3, last - 1), colors.whitesmoke),
            ]
        ),
    )
    table.hAlign = "CENTER"
    return KeepTogether([table, Spacer(1, 4)])


# Any of the eight mask patterns makes a valid code; without one, qrcode draws and scores all eight
# in pure Python to pick the most evenly balanced (about 80 % of drawing a QR code, ~20 ms warm).
# Printed at 26 mm and read by phones, an unbalanced mask costs nothing measurable.
QR_MASK_PATTERN = 0


def _qr_code(text: str, image_factory: Any = None) -> Any:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4, mask_pattern=QR_MASK_PATTERN,
                       image_factory=image_factory)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image()


def qr_svg(text: str) -> bytes:
    """The same code as in the documents, as one SVG path (scales sharp to any screen)."""
    from qrcode.image.svg import SvgPathFillImage

    return bytes(_qr_code(text, SvgPathFillImage).to_string(encoding="utf-8"))


def qr_image(url: str, size: float) -> Any:
    from reportlab.platypus import Image

    picture = _qr_code(url).get_image().convert("L")  # greyscale: one channel in the PDF
    png = io.BytesIO()
    picture.save(png, format="PNG")
    png.seek(0)
    return Image(png, width=size, height=size)


def closing_block(lines: Sequence[str], verify_url: str) -> Any:
    """Who issued it (left), the QR code with its caption (right), the verify URL beneath."""
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    st = styles()
    qr_width = 40 * MM
    left = [para(line, st.sign) for line in lines]
    right = [qr_image(verify_url, 26 * MM), para(VERIFY_CAPTION, st.caption)]
    table = Table(
        [[left, right], [para(verify_url, st.url), ""]],
        colWidths=[CONTENT_WIDTH - qr_width, qr_width],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("SPAN", (0, 1), (1, 1)),
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return KeepTogether([Spacer(1, 8), table])


def footer(document_number: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        from reportlab.lib.pagesizes import A4

        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 12 * MM, f"{document_number}　第{canvas.getPageNumber()}页")
        canvas.restoreState()

    return draw


def build(story: list[Any], *, title: str, author: str, document_number: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    register_font()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * MM,
        rightMargin=20 * MM,
        topMargin=18 * MM,
        bottomMargin=20 * MM,
        title=title,
        author=author,
        subject=document_number,
        creator="云车通",
        lang="zh-CN",
        initialFontName=FONT,
        invariant=1,  # no timestamps or random ids: same data, same bytes
        pageCompression=1,
    )
    frame = Frame(
        doc.leftMargin, doc.bottomMargin, doc.width, doc.height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body"
    )
    # The footer is drawn when a page ends, so extracted text reads in page order.
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=footer(document_number))])
    doc.build(story)
    return out.getvalue()
