"""The agreement and the simple-procedure letter as A4 PDF bytes.

Chinese text is set in reportlab's built-in ``STSong-Light`` CID font (Adobe-GB1, encoding
UniGB-UCS2-H): nothing to ship, and every field stays real text (pypdf's ``extract_text``
reads it back). The QR code (verify URL) is drawn by ``qrcode`` into a PNG and placed as an
image. Documents are built with ``invariant=1``: the same data gives the same bytes.

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

from chalicelib.documents.model import AgreementData, LetterData, PartyLine
from chalicelib.domain.beijing_time import CHINA

FONT = "STSong-Light"
MISSING = "无"

LETTER_TITLE = "道路交通事故认定书（简易程序）"
AGREEMENT_TITLE = "道路交通事故自行协商协议书"
VERIFY_CAPTION = "扫码核验真伪"
ALL_SIGNED = "上述各方当事人对事故事实及责任划分无异议，经自行协商达成本协议，全体当事人均已签字确认。"

_MM = 72 / 25.4  # points per millimetre (reportlab.lib.units.mm, without importing reportlab)
_CONTENT_WIDTH = 170 * _MM  # A4 (210 mm) less 20 mm margins either side
_font_lock = threading.Lock()


# --- formatting ------------------------------------------------------------------------


def format_moment(moment: datetime) -> str:
    """An aware moment as printed: Beijing time, e.g. 2026年10月01日08时41分."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日%H时%M分")


def format_day(day: date) -> str:
    """A calendar day as printed, e.g. 2026年10月09日."""
    return day.strftime("%Y年%m月%d日")


PROVISIONAL = "暂定"


def rights_texts(review_deadline: date, mediation_deadline: date, provisional: bool = False) -> tuple[str, str, str]:
    """The fixed notice of rights printed on the letter (Order 146 Art.71, 84; civil suit); a
    provisional date (counted through a year whose holidays are not announced) is marked 暂定."""
    mark = f"，{PROVISIONAL}" if provisional else ""
    return (
        "对本认定书有异议的，可以自道路交通事故认定书送达之日起三日内向上一级公安机关交通管理部门"
        f"提出书面复核申请（截止 {format_day(review_deadline)}{mark}）。",
        f"当事人可以自收到认定书之日起十日内共同申请公安机关交通管理部门调解（截止 {format_day(mediation_deadline)}{mark}）。",
        "对损害赔偿有争议的也可以直接向人民法院提起民事诉讼。",
    )


def _accident(data: LetterData | AgreementData, st: Any, liability_preamble: str | None) -> list[Any]:
    """The part both documents share: number, the accident, the parties, the facts, liabilities."""
    return [
        _para(f"编号：{data.document_number}", st.number),
        _info_table(
            [
                ("事故时间", format_moment(data.occurred_at), "天气", data.weather),
                ("事故地点", data.place),
                ("事故形态", data.accident_form),
                ("事故情形", data.scenario),
            ]
        ),
        _para("当事人基本信息", st.heading),
        *[_party_table(party) for party in data.parties],
        _para("道路交通事故事实", st.heading),
        _para(data.facts, st.body),
        _para("当事人的责任", st.heading),
        *([_para(liability_preamble, st.body)] if liability_preamble else []),
        *[_para(_liability_line(party), st.item) for party in data.parties],
    ]


# --- public API ------------------------------------------------------------------------


def render_letter(data: LetterData) -> bytes:
    """道路交通事故认定书（简易程序） (Order 146 Art.24) as PDF bytes."""
    from reportlab.platypus import KeepTogether

    st = _styles()
    story: list[Any] = [
        _para(data.issuing_unit, st.unit),
        _para(LETTER_TITLE, st.title),
        *_accident(data, st, "根据《道路交通事故处理程序规定》第六十条，确定当事人的责任如下："),
    ]
    if data.mediation_result:
        story += [_para("调解结果", st.heading), _para(data.mediation_result, st.body)]
    if data.refusals:
        story += [_para("拒绝签字情况", st.heading), *[_para(line, st.item) for line in data.refusals]]
    rights = rights_texts(data.review_deadline, data.mediation_deadline, data.provisional_note is not None)
    story.append(KeepTogether([_para("权利告知", st.heading), *[_para(f"{n}. {text}", st.item) for n, text in enumerate(rights, 1)]]))
    if data.party_deadlines:
        story += [_para("各方当事人的期限（自送达之日起计算）", st.heading), *[_para(line, st.item) for line in data.party_deadlines]]
    if data.provisional_note:
        story.append(_para(f"【{PROVISIONAL}】{data.provisional_note}", st.statement))
    if data.reissue_note:
        story += [_para("备注", st.heading), _para(data.reissue_note, st.body)]
    story.append(
        _closing_block(
            [
                f"交通警察（警号）：{data.officer_badge}",
                f"办案单位：{data.issuing_unit}",
                f"出具时间：{format_moment(data.issued_at)}",
            ],
            data.verify_url,
        )
    )
    return _build(story, title=LETTER_TITLE, author=data.issuing_unit, document_number=data.document_number)


def render_agreement(data: AgreementData) -> bytes:
    """道路交通事故自行协商协议书 (Order 146 Art.20–21) as PDF bytes."""
    st = _styles()
    story: list[Any] = [
        _para(AGREEMENT_TITLE, st.title),
        *_accident(data, st, None),
        _para(ALL_SIGNED, st.statement),
        _closing_block([f"协议达成时间：{format_moment(data.concluded_at)}"], data.verify_url),
    ]
    return _build(story, title=AGREEMENT_TITLE, author="云车通", document_number=data.document_number)


# --- building blocks -------------------------------------------------------------------


@dataclass(frozen=True)
class _Styles:
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


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    with _font_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(FONT))


@cache
def _styles() -> _Styles:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    _register_font()

    def style(name: str, size: float, **extra: Any) -> Any:
        return ParagraphStyle(name, fontName=FONT, fontSize=size, leading=size * 1.45, wordWrap="CJK", **extra)

    return _Styles(
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


def _para(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _shown(value: str | None) -> str:
    return value if value else MISSING


def _liability_line(party: PartyLine) -> str:
    return f"{party.label}{party.name}：{party.liability}"


_PARTY_W = 10 * _MM  # the 甲方 / 乙方 column, written top to bottom
_LABEL_W = 29 * _MM
_VALUE_W = (_CONTENT_WIDTH - _PARTY_W - 2 * _LABEL_W) / 2


def _grid_style(extra: Sequence[tuple[Any, ...]]) -> Any:
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


def _info_table(rows: Sequence[tuple[str, ...]]) -> Any:
    """Label/value rows: four cells (two pairs) or two cells (one pair spanning the width)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table

    st = _styles()
    cells: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    for r, row in enumerate(rows):
        if len(row) == 4:
            cells.append([_para(row[0], st.label), _para(row[1], st.value), _para(row[2], st.label), _para(row[3], st.value)])
            extra.append(("BACKGROUND", (2, r), (2, r), colors.whitesmoke))
        else:
            cells.append([_para(row[0], st.label), _para(row[1], st.value), "", ""])
            extra.append(("SPAN", (1, r), (3, r)))
        extra.append(("BACKGROUND", (0, r), (0, r), colors.whitesmoke))
    # Same grid as the party tables: the first label spans their party column.
    table = Table(cells, colWidths=[_PARTY_W + _LABEL_W, _VALUE_W, _LABEL_W, _VALUE_W], style=_grid_style(extra))
    table.hAlign = "CENTER"
    return table


def _party_table(party: PartyLine) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Spacer, Table

    st = _styles()
    pairs = [
        ("姓名", party.name, "驾驶证或身份证号", party.id_number),
        ("联系电话", party.phone, "当事人类型", party.kind),
        ("车辆类型", _shown(party.vehicle_type), "号牌号码", _shown(party.plate)),
        ("保险公司", _shown(party.insurer), "保险单号", _shown(party.policy_no)),
        ("碰撞部位", _shown(party.collision_part), "事故责任", party.liability),
    ]
    cells: list[list[Any]] = [
        [_para(party.label, st.party) if r == 0 else "", *(_para(x, s) for x, s in zip(row, (st.label, st.value) * 2, strict=True))]
        for r, row in enumerate(pairs)
    ]
    cells.append(["", _para("签字情况", st.label), _para(party.signature, st.value), "", ""])
    last = len(cells) - 1
    table = Table(
        cells,
        colWidths=[_PARTY_W, _LABEL_W, _VALUE_W, _LABEL_W, _VALUE_W],
        style=_grid_style(
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


def _qr_image(url: str, size: float) -> Any:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from reportlab.platypus import Image

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    picture = qr.make_image().get_image().convert("L")  # greyscale: one channel in the PDF
    png = io.BytesIO()
    picture.save(png, format="PNG")
    png.seek(0)
    return Image(png, width=size, height=size)


def _closing_block(lines: Sequence[str], verify_url: str) -> Any:
    """Who issued it (left), the QR code with its caption (right), the verify URL beneath."""
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    st = _styles()
    qr_width = 40 * _MM
    left = [_para(line, st.sign) for line in lines]
    right = [_qr_image(verify_url, 26 * _MM), _para(VERIFY_CAPTION, st.caption)]
    table = Table(
        [[left, right], [_para(verify_url, st.url), ""]],
        colWidths=[_CONTENT_WIDTH - qr_width, qr_width],
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


def _footer(document_number: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        from reportlab.lib.pagesizes import A4

        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawCentredString(A4[0] / 2, 12 * _MM, f"{document_number}　第{canvas.getPageNumber()}页")
        canvas.restoreState()

    return draw


def _build(story: list[Any], *, title: str, author: str, document_number: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    _register_font()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * _MM,
        rightMargin=20 * _MM,
        topMargin=18 * _MM,
        bottomMargin=20 * _MM,
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
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=_footer(document_number))])
    doc.build(story)
    return out.getvalue()
