"""The two documents a police mediation ends with (Order 146 Art.93): the 调解书 when the parties
agree and the 调解终结书 when they do not, as A4 PDF bytes built from the shared `layout` blocks.

The data classes check themselves when made (aware times, whole fen, the shares adding up to the
items' total, a known termination reason), so a document that would misstate money is never
drawn. Amounts are kept in fen and printed in yuan. reportlab is imported only when rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chalicelib.documents.layout import (
    CONTENT_WIDTH,
    MM,
    build,
    closing_block,
    format_day,
    format_moment,
    grid_style,
    info_table,
    para,
    styles,
)
from chalicelib.domain.mediation_terms import REGULATION, TerminationReason

AGREEMENT_TITLE = "道路交通事故损害赔偿调解书"
TERMINATION_TITLE = "道路交通事故损害赔偿调解终结书"
AGREED = "上述各方当事人经调解自愿达成协议，本调解书经各方当事人签字后生效，分别送达各方当事人。"
AFTER_TERMINATION = "调解未达成协议的，当事人可以依法向人民法院提起民事诉讼，或者申请人民调解委员会进行调解。"


def format_yuan(amount_fen: int) -> str:
    """Fen as printed, e.g. 150050 → 1,500.50元."""
    yuan, fen = divmod(amount_fen, 100)
    return f"{yuan:,}.{fen:02d}元"


def _share_of(amount_fen: int, total_fen: int) -> str:
    percent = (Decimal(amount_fen) * 100 / Decimal(total_fen)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{percent}%"


# --- what the documents say -------------------------------------------------------------


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _require_text(name: str, value: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{name} must not be empty")


def _require_fen(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("amount_fen must be a whole, non-negative number of fen")


def _require_some(name: str, values: Sequence[Any]) -> None:
    if not values:
        raise ValueError(f"a mediation document needs at least one {name}")


@dataclass(frozen=True)
class AgreedItem:
    """One head of damage and its agreed amount (Art.93 ¶2 (3))."""

    name: str  # 车辆维修费, 误工费 ...
    amount_fen: int

    def __post_init__(self) -> None:
        _require_text("name", self.name)
        _require_fen(self.amount_fen)


@dataclass(frozen=True)
class AgreedShare:
    """Who pays how much (a party, or its insurer on its behalf)."""

    party_label: str  # 甲方, 甲方保险公司 ...
    party_name: str
    amount_fen: int

    def __post_init__(self) -> None:
        _require_text("party_label", self.party_label)
        _require_fen(self.amount_fen)


@dataclass(frozen=True)
class SignatoryLine:
    party_label: str
    party_name: str
    signature: str  # as printed, e.g. "已签字 2026-10-20 10:05"


@dataclass(frozen=True)
class MediationAgreementData:
    """道路交通事故损害赔偿调解书, Order 146 Art.93 ¶2."""

    document_number: str
    case_number: str
    issuing_unit: str
    mediator: str
    basis: str  # 调解依据
    facts: str  # the letter's facts
    losses: str  # 损失情况
    items: tuple[AgreedItem, ...]
    shares: tuple[AgreedShare, ...]
    payment_method: str
    payment_deadline: date
    signatories: tuple[SignatoryLine, ...]
    concluded_at: datetime  # aware; printed in Asia/Shanghai
    verify_url: str

    def __post_init__(self) -> None:
        for name in ("items", "shares", "signatories"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _require_aware("concluded_at", self.concluded_at)
        _require_some("item", self.items)
        _require_some("share", self.shares)
        _require_some("signatory", self.signatories)
        if self.total_fen <= 0:
            raise ValueError("the items must add up to more than nothing")
        shared = sum(share.amount_fen for share in self.shares)
        if shared != self.total_fen:
            raise ValueError(f"the shares add up to {shared} fen, the items to {self.total_fen} fen")

    @property
    def total_fen(self) -> int:
        return sum(item.amount_fen for item in self.items)


@dataclass(frozen=True)
class MediationTerminationData:
    """道路交通事故损害赔偿调解终结书, Order 146 Art.93 ¶3 and Art.94."""

    document_number: str
    case_number: str
    issuing_unit: str
    mediator: str
    reason: str  # a TerminationReason value
    reason_text: str  # what happened, in the mediator's words
    facts: str
    started_at: datetime
    ended_at: datetime
    signatories: tuple[SignatoryLine, ...]
    verify_url: str

    def __post_init__(self) -> None:
        if self.reason not in TerminationReason.__members__:
            raise ValueError(f"reason must be one of {', '.join(TerminationReason)}")
        object.__setattr__(self, "reason", TerminationReason(self.reason))
        object.__setattr__(self, "signatories", tuple(self.signatories))
        _require_aware("started_at", self.started_at)
        _require_aware("ended_at", self.ended_at)
        if self.ended_at < self.started_at:
            raise ValueError("ended_at must not be before started_at")
        _require_some("signatory", self.signatories)


# --- drawing ----------------------------------------------------------------------------


def _amount_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Any:
    """A grid whose last columns are amounts, right-aligned; the first row is the header."""
    from reportlab.lib import colors
    from reportlab.platypus import Table

    st = styles()
    cells = [[para(value, st.label if r == 0 else st.value) for value in row] for r, row in enumerate([header, *rows])]
    first = CONTENT_WIDTH - 40 * MM * (len(header) - 1)
    table = Table(cells, colWidths=[first] + [40 * MM] * (len(header) - 1), style=grid_style(
        [("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke), ("ALIGN", (1, 0), (-1, -1), "RIGHT")]))
    table.hAlign = "CENTER"
    return table


def _heading(number: str, title: str, st: Any) -> Any:
    return para(f"{number}、{title}", st.heading)


def _issue(title: str, data: MediationAgreementData | MediationTerminationData, body: list[Any], signed: str,
           moment: tuple[str, datetime]) -> bytes:
    """The masthead, the document's own body, the parties' lines under the heading `signed`, then
    who issued it and when beside the verify QR code."""
    st = styles()
    story: list[Any] = [
        para(data.issuing_unit, st.unit),
        para(title, st.title),
        para(f"编号：{data.document_number}", st.number),
        *body,
        para(signed, st.heading),
        *[para(f"{s.party_label}{s.party_name}：{s.signature}", st.item) for s in data.signatories],
        closing_block([f"调解员：{data.mediator}", f"调解单位：{data.issuing_unit}", f"{moment[0]}：{format_moment(moment[1])}"],
                      data.verify_url),
    ]
    return build(story, title=title, author=data.issuing_unit, document_number=data.document_number)


def render_mediation_agreement(data: MediationAgreementData) -> bytes:
    st = styles()
    items = [(item.name, format_yuan(item.amount_fen)) for item in data.items]
    shares = [(f"{s.party_label}{s.party_name}", _share_of(s.amount_fen, data.total_fen), format_yuan(s.amount_fen))
              for s in data.shares]
    body: list[Any] = [
        info_table([("案件编号", data.case_number, "调解员", data.mediator), ("调解日期", format_moment(data.concluded_at))]),
        _heading("一", "调解依据", st),
        para(data.basis, st.body),
        _heading("二", "道路交通事故认定书认定的基本事实和损失情况", st),
        para(data.facts, st.body),
        para(f"损失情况：{data.losses}", st.body),
        _heading("三", "损害赔偿的项目和数额", st),
        _amount_table(("项目", "金额"), [*items, ("合计", format_yuan(data.total_fen))]),
        _heading("四", "各方的损害赔偿责任及比例", st),
        _amount_table(("承担方", "比例", "金额"), shares),
        _heading("五", "赔偿履行方式和期限", st),
        para(f"履行方式：{data.payment_method}", st.item),
        para(f"履行期限：{format_day(data.payment_deadline)}前履行完毕", st.item),
        para(AGREED, st.statement),
    ]
    return _issue(AGREEMENT_TITLE, data, body, "六、当事人签字", ("调解日期", data.concluded_at))


def render_mediation_termination(data: MediationTerminationData) -> bytes:
    st = styles()
    reason = TerminationReason(data.reason)
    body: list[Any] = [
        info_table([("案件编号", data.case_number, "调解员", data.mediator),
                    ("调解开始时间", format_moment(data.started_at), "调解终结时间", format_moment(data.ended_at))]),
        _heading("一", "道路交通事故基本事实", st),
        para(data.facts, st.body),
        _heading("二", "终结调解的原因", st),
        para(f"根据{REGULATION}{reason.article}，{reason.wording}，终结调解。", st.body),
        para(f"情况说明：{data.reason_text}", st.body),
        para(AFTER_TERMINATION, st.statement),
    ]
    return _issue(TERMINATION_TITLE, data, body, "三、送达当事人", ("终结时间", data.ended_at))
