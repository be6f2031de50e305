"""What the printed documents say: plain values, already in Chinese, ready to render.

Order 146 (道路交通事故处理程序规定): the self-settlement agreement (Art.20–21) and the
simple-procedure liability letter (Art.24–26). The services gather these values from the
case; `chalicelib.documents.render` turns them into PDF bytes. This module imports nothing
heavy (no reportlab, qrcode or PIL) so a Lambda can build the values on a cold start cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _check_parties(parties: tuple[PartyLine, ...]) -> None:
    if not parties:
        raise ValueError("a document needs at least one party")


@dataclass(frozen=True)
class PartyLine:
    """One party as printed on the agreement or the letter."""

    label: str  # 甲方 / 乙方 ...
    name: str
    id_number: str  # ID card or driving licence number
    phone: str
    kind: str  # 机动车 / 非机动车 / 行人 (already Chinese)
    vehicle_type: str | None
    plate: str | None
    insurer: str | None  # insurer company name
    policy_no: str | None
    collision_part: str | None
    liability: str  # Chinese label, e.g. 全部责任
    signature: str  # e.g. "已签字 2026-10-01 08:41" / "拒绝签字：理由…" / "待签字"


@dataclass(frozen=True)
class LetterData:
    """道路交通事故认定书（简易程序）, Order 146 Art.24."""

    document_number: str  # e.g. 盐公交简认字〔2026〕第YC261001ABCDEFGH号
    issuing_unit: str  # 盐城市公安局交通警察支队
    officer_badge: str  # 警号
    issued_at: datetime  # aware; printed in Asia/Shanghai
    occurred_at: datetime  # aware; printed in Asia/Shanghai
    place: str
    weather: str
    accident_form: str  # 追尾碰撞 ...
    scenario: str  # scenario label + description
    facts: str
    parties: tuple[PartyLine, ...]
    review_deadline: date  # 复核申请截止 (3 working days after service)
    mediation_deadline: date  # 调解申请截止 (10 working days)
    verify_url: str  # encoded in the QR code and printed under it
    refusals: tuple[str, ...] = ()  # e.g. "乙方李四拒绝签字，理由：……" (Art.24 ¶3: written on the letter)
    mediation_result: str | None = None
    reissue_note: str | None = None  # e.g. "本认定书于……重新出具，记载当事人拒绝签字情况"
    # Set when a deadline was counted through a year whose holidays are not announced yet: the
    # dates are marked 暂定 and this one-line explanation is printed under them.
    provisional_note: str | None = None
    # Each party's own deadlines, counted from the day the letter was served on them (re-issues).
    party_deadlines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_aware("issued_at", self.issued_at)
        _require_aware("occurred_at", self.occurred_at)
        object.__setattr__(self, "parties", tuple(self.parties))
        object.__setattr__(self, "refusals", tuple(self.refusals))
        object.__setattr__(self, "party_deadlines", tuple(self.party_deadlines))
        _check_parties(self.parties)


@dataclass(frozen=True)
class AgreementData:
    """道路交通事故自行协商协议书, Order 146 Art.20–21."""

    document_number: str
    concluded_at: datetime  # aware; printed in Asia/Shanghai
    occurred_at: datetime  # aware; printed in Asia/Shanghai
    place: str
    weather: str
    accident_form: str
    scenario: str
    facts: str
    parties: tuple[PartyLine, ...]
    verify_url: str

    def __post_init__(self) -> None:
        _require_aware("concluded_at", self.concluded_at)
        _require_aware("occurred_at", self.occurred_at)
        object.__setattr__(self, "parties", tuple(self.parties))
        _check_parties(self.parties)
