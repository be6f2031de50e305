"""PROVISIONAL (helper M3): the 救助基金垫付通知书 as `/work/medical_interfaces.md` defines it for M1.

M1 (branch medical-pure) owns this module (with the 急诊直赔通知书); the lead keeps M1's at merge.
This stand-in renders only the fund notice, with the signature of the interface, so the rescue
fund's flow can issue and verify it before the merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.documents.layout import build, closing_block, format_moment, info_table, para, styles
from chalicelib.domain.medical_split import FundReason

FUND_NOTICE_TITLE = "道路交通事故社会救助基金垫付通知书"
_REASONS = (
    (FundReason.EXCEEDS_LIMIT, "抢救费用超过机动车交通事故责任强制保险责任限额"),
    (FundReason.UNINSURED, "肇事机动车未参加机动车交通事故责任强制保险"),
    (FundReason.HIT_AND_RUN, "机动车肇事后逃逸"),
)


@dataclass(frozen=True)
class FundNoticeData:
    document_number: str
    case_number: str
    issuing_unit: str
    officer_badge: str
    hospital_name: str
    injured_masked: str
    reasons: frozenset[FundReason]
    amount_fen: int
    treatment_started_at: datetime
    issued_at: datetime
    verify_url: str


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def render_fund_notice(data: FundNoticeData) -> bytes:
    st = styles()
    ticks = [f"{'☑' if reason in data.reasons else '☐'} {text}" for reason, text in _REASONS]
    story: list[Any] = [
        para(data.issuing_unit, st.unit),
        para(FUND_NOTICE_TITLE, st.title),
        para(data.document_number, st.number),
        info_table([
            ("案件编号", data.case_number),
            ("受伤人员", data.injured_masked),
            ("救治医疗机构", data.hospital_name),
            ("开始抢救时间", format_moment(data.treatment_started_at)),
            ("申请垫付金额", _yuan(data.amount_fen)),
        ]),
        para("垫付事由（《道路交通事故社会救助基金管理办法》第十四条）", st.heading),
        *[para(line, st.item) for line in ticks],
        para("请道路交通事故社会救助基金管理机构依法审核并垫付抢救费用。", st.statement),
        closing_block([f"交通警察（警号）：{data.officer_badge}", f"办案单位：{data.issuing_unit}",
                       f"通知时间：{format_moment(data.issued_at)}"], data.verify_url),
    ]
    return build(story, title=FUND_NOTICE_TITLE, author=data.issuing_unit, document_number=data.document_number)
