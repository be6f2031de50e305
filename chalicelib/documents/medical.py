"""The direct-pay documents as A4 PDF bytes, from the shared blocks of ``layout``:

- 急诊直赔通知书: the police tell the designated hospital to treat the injured person at once; the
  insurer of the liable vehicle pays the hospital (Order 146 Art.42; 交强险条例 Art.31). It carries
  the signed QR token the hospital scans (ADR 0017) and the usual verify QR code.
- 救助基金垫付通知书: the police notify the road rescue fund of an advance (救助基金办法 Art.14),
  with the three reasons as tick boxes, as the Jiangsu form has them.

The person is printed masked (the caller passes the masked name); amounts arrive in fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.documents.layout import MM, build, closing_block, format_moment, info_table, para, qr_image, styles
from chalicelib.domain.medical_split import FundReason

DIRECT_PAY_TITLE = "道路交通事故受伤人员急诊直赔通知书"
FUND_TITLE = "道路交通事故社会救助基金垫付通知书"
SCAN_CAPTION = "医院扫码核验（直赔凭证）"
TICKED, UNTICKED = "☑", "☐"
# In the order of 救助基金办法 Art.14.
FUND_REASONS = (
    (FundReason.EXCEEDS_LIMIT, "抢救费用超过机动车交通事故责任强制保险责任限额"),
    (FundReason.UNINSURED, "肇事机动车未参加机动车交通事故责任强制保险"),
    (FundReason.HIT_AND_RUN, "机动车肇事后逃逸"),
)


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class _NoticeHead:
    """What both notices start with: the document, the case, who issues it, the hospital, the person."""

    document_number: str
    case_number: str
    issuing_unit: str
    officer_badge: str
    hospital_name: str
    injured_masked: str


@dataclass(frozen=True)
class DirectPayNoticeData(_NoticeHead):
    injury_description: str
    qr_token: str
    valid_until: datetime
    issued_at: datetime
    verify_url: str

    def __post_init__(self) -> None:
        _require_aware(valid_until=self.valid_until, issued_at=self.issued_at)


@dataclass(frozen=True)
class FundNoticeData(_NoticeHead):
    reasons: frozenset[FundReason]
    amount_fen: int
    treatment_started_at: datetime
    issued_at: datetime
    verify_url: str

    def __post_init__(self) -> None:
        _require_aware(treatment_started_at=self.treatment_started_at, issued_at=self.issued_at)
        if self.amount_fen < 0:
            raise ValueError("amount_fen cannot be negative")
        if not self.reasons:
            raise ValueError("the fund advances for at least one reason")


def yuan(fen: int) -> str:
    """Fen as printed: 人民币 12,345.67 元."""
    return f"人民币 {fen // 100:,}.{fen % 100:02d} 元"


def _opening(title: str, unit: str, number: str, addressee: str, basis: str, rows: list[tuple[str, str]]) -> list[Any]:
    """Unit, title, number, to whom, on what legal basis, then the case and the person."""
    st = styles()
    return [
        para(unit, st.unit),
        para(title, st.title),
        para(f"编号：{number}", st.number),
        para(f"{addressee}：", st.sign),
        para(basis, st.body),
        info_table(rows),
    ]


def _issued_by(officer_badge: str, issuing_unit: str, issued_at: datetime, verify_url: str) -> Any:
    return closing_block(
        [f"交通警察（警号）：{officer_badge}", f"办案单位：{issuing_unit}", f"出具时间：{format_moment(issued_at)}"], verify_url
    )


def _token_block(token: str, hospital_name: str, valid_until: datetime) -> Any:
    from reportlab.platypus import KeepTogether, Spacer

    st = styles()
    return KeepTogether(
        [
            Spacer(1, 6),
            qr_image(token, 60 * MM),
            para(SCAN_CAPTION, st.caption),
            para(f"仅限{hospital_name}扫码使用一次，有效期至{format_moment(valid_until)}", st.caption),
        ]
    )


def render_direct_pay_notice(data: DirectPayNoticeData) -> bytes:
    """急诊直赔通知书 as PDF bytes: the case, the hospital, the injured person (masked), the QR token."""
    story: list[Any] = [
        *_opening(
            DIRECT_PAY_TITLE,
            data.issuing_unit,
            data.document_number,
            data.hospital_name,
            "根据《道路交通事故处理程序规定》第四十二条、《机动车交通事故责任强制保险条例》第三十一条，"
            "下列道路交通事故受伤人员需要抢救治疗，请你院凭本通知书扫码核验后立即救治。首次急诊抢救费用由"
            "承保交强险的保险公司在医疗费用赔偿限额内直接向你院支付；超出限额或符合道路交通事故社会救助基金"
            "垫付条件的部分，由救助基金依法垫付。",
            [
                ("事故案件编号", data.case_number),
                ("定点医院", data.hospital_name),
                ("受伤人员", data.injured_masked),
                ("伤情描述", data.injury_description),
                ("有效期至", format_moment(data.valid_until)),
            ],
        ),
        _token_block(data.qr_token, data.hospital_name, data.valid_until),
        _issued_by(data.officer_badge, data.issuing_unit, data.issued_at, data.verify_url),
    ]
    return build(story, title=DIRECT_PAY_TITLE, author=data.issuing_unit, document_number=data.document_number)


def reason_lines(reasons: frozenset[FundReason]) -> list[str]:
    """The three reasons, each with its tick box: ☑ where it applies, ☐ where it does not."""
    return [f"{TICKED if reason in reasons else UNTICKED} {text}" for reason, text in FUND_REASONS]


def render_fund_notice(data: FundNoticeData) -> bytes:
    """救助基金垫付通知书 as PDF bytes: the reasons ticked, the amount, the start of treatment."""
    st = styles()
    story: list[Any] = [
        *_opening(
            FUND_TITLE,
            data.issuing_unit,
            data.document_number,
            "道路交通事故社会救助基金管理机构",
            "根据《道路交通事故社会救助基金管理办法》第十四条，下列道路交通事故受伤人员符合救助基金垫付条件，请按规定垫付其抢救费用。",
            [
                ("事故案件编号", data.case_number),
                ("救治医院", data.hospital_name),
                ("受伤人员", data.injured_masked),
                ("开始救治时间", format_moment(data.treatment_started_at)),
                ("申请垫付金额", yuan(data.amount_fen)),
            ],
        ),
        para("垫付情形", st.heading),
        *[para(line, st.item) for line in reason_lines(data.reasons)],
        _issued_by(data.officer_badge, data.issuing_unit, data.issued_at, data.verify_url),
    ]
    return build(story, title=FUND_TITLE, author=data.issuing_unit, document_number=data.document_number)
