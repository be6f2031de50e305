"""The agreement and the simple-procedure letter as A4 PDF bytes (building blocks in ``layout``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.documents.layout import (
    VERIFY_CAPTION,
    build,
    closing_block,
    format_day,
    format_moment,
    info_table,
    liability_line,
    para,
    party_table,
    styles,
)
from chalicelib.documents.model import AgreementData, LetterData

LETTER_TITLE = "道路交通事故认定书（简易程序）"
AGREEMENT_TITLE = "道路交通事故自行协商协议书"
ALL_SIGNED = "上述各方当事人对事故事实及责任划分无异议，经自行协商达成本协议，全体当事人均已签字确认。"
__all__ = [
    "AGREEMENT_TITLE",
    "ALL_SIGNED",
    "LETTER_TITLE",
    "VERIFY_CAPTION",
    "format_day",
    "format_moment",
    "render_agreement",
    "render_letter",
]


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
        para(f"编号：{data.document_number}", st.number),
        info_table(
            [
                ("事故时间", format_moment(data.occurred_at), "天气", data.weather),
                ("事故地点", data.place),
                ("事故形态", data.accident_form),
                ("事故情形", data.scenario),
            ]
        ),
        para("当事人基本信息", st.heading),
        *[party_table(party) for party in data.parties],
        para("道路交通事故事实", st.heading),
        para(data.facts, st.body),
        para("当事人的责任", st.heading),
        *([para(liability_preamble, st.body)] if liability_preamble else []),
        *[para(liability_line(party), st.item) for party in data.parties],
    ]


# --- public API ------------------------------------------------------------------------


def render_letter(data: LetterData) -> bytes:
    """道路交通事故认定书（简易程序） (Order 146 Art.24) as PDF bytes."""
    from reportlab.platypus import KeepTogether

    st = styles()
    story: list[Any] = [
        para(data.issuing_unit, st.unit),
        para(LETTER_TITLE, st.title),
        *_accident(data, st, "根据《道路交通事故处理程序规定》第六十条，确定当事人的责任如下："),
    ]
    if data.mediation_result:
        story += [para("调解结果", st.heading), para(data.mediation_result, st.body)]
    if data.refusals:
        story += [para("拒绝签字情况", st.heading), *[para(line, st.item) for line in data.refusals]]
    rights = rights_texts(data.review_deadline, data.mediation_deadline, data.provisional_note is not None)
    story.append(KeepTogether([para("权利告知", st.heading), *[para(f"{n}. {text}", st.item) for n, text in enumerate(rights, 1)]]))
    if data.party_deadlines:
        story += [para("各方当事人的期限（自送达之日起计算）", st.heading), *[para(line, st.item) for line in data.party_deadlines]]
    if data.provisional_note:
        story.append(para(f"【{PROVISIONAL}】{data.provisional_note}", st.statement))
    if data.reissue_note:
        story += [para("备注", st.heading), para(data.reissue_note, st.body)]
    story.append(
        closing_block(
            [
                f"交通警察（警号）：{data.officer_badge}",
                f"办案单位：{data.issuing_unit}",
                f"出具时间：{format_moment(data.issued_at)}",
            ],
            data.verify_url,
        )
    )
    return build(story, title=LETTER_TITLE, author=data.issuing_unit, document_number=data.document_number)


def render_agreement(data: AgreementData) -> bytes:
    """道路交通事故自行协商协议书 (Order 146 Art.20–21) as PDF bytes."""
    st = styles()
    story: list[Any] = [
        para(AGREEMENT_TITLE, st.title),
        *_accident(data, st, None),
        para(ALL_SIGNED, st.statement),
        closing_block([f"协议达成时间：{format_moment(data.concluded_at)}"], data.verify_url),
    ]
    return build(story, title=AGREEMENT_TITLE, author="云车通", document_number=data.document_number)
