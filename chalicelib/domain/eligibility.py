"""Remote handling or an officer on scene: Order 146 (公安部令第146号) Art.13, 14, 15, 19 and 23.

Injuries: Art.13 keeps the parties at the scene after a death or an injury; Art.23(2) lets the
simple procedure (which the remote centre applies) take an injury only when the injured party's
injury is slight and every party agrees. So SERIOUS or FATAL always goes on scene, and SLIGHT goes
remote only with every party's recorded consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class InjurySeverity(StrEnum):
    SLIGHT = "SLIGHT"  # 伤势轻微
    SERIOUS = "SERIOUS"
    FATAL = "FATAL"


# (flag, code, article, text shown to the call-taker and the parties)
_MUST_STAY = (
    ("no_valid_licence", "NO_VALID_LICENCE", "第十三条", "驾驶人无有效机动车驾驶证或者驾驶的机动车与驾驶证载明的准驾车型不符"),
    ("drink_or_drugs", "DRINK_OR_DRUGS", "第十三条", "驾驶人有饮酒、服用国家管制的精神药品或者麻醉药品嫌疑"),
    (
        "school_bus_or_overloaded",
        "SCHOOL_BUS_OR_OVERLOADED",
        "第十三条",
        "驾驶人有从事校车业务或者旅客运输，严重超过额定乘员载客嫌疑",
    ),
    ("serious_speeding", "SERIOUS_SPEEDING", "第十三条", "驾驶人有严重超过规定时速行驶嫌疑"),
    ("no_plate", "NO_PLATE", "第十三条", "机动车无号牌或者使用伪造、变造的号牌"),
    ("dangerous_goods", "DANGEROUS_GOODS", "第十五条", "载运爆炸性、易燃性、毒害性、放射性、腐蚀性、传染病病原体等危险物品车辆"),
    ("party_left_scene", "PARTY_LEFT_SCENE", "第十三条", "当事人不能自行移动车辆以外的原因驾车驶离现场"),
    ("intentional", "INTENTIONAL", "第十三条", "有证据证明事故是由一方故意造成的"),
)
_NOT_MOVABLE = ("VEHICLE_NOT_MOVABLE", "第十三条", "碰撞后机动车无法移动")
_DEATH = ("DEATH", "第十三条", "发生死亡事故，当事人应当保护现场并立即报警，由交通警察到场处理")
_INJURY_NOT_SLIGHT = ("INJURY_NOT_SLIGHT", "第十三条、第二十三条", "有人员受伤且伤势并非轻微，不适用简易程序远程处理")
_INJURY = ("INJURY_NOT_AGREED", "第十三条、第二十三条", "受伤当事人伤势轻微，但各方当事人未一致同意适用简易程序远程处理")
# Art.14: police must handle it (no self-settlement), but it can still be handled remotely.
_NO_SELF_SETTLEMENT = (
    ("facility_damaged", "FACILITY_DAMAGED", "第十四条", "碰撞建筑物、公共设施或者其他设施"),
    ("no_inspection_or_insurance_mark", "NO_INSPECTION_OR_INSURANCE_MARK", "第十四条", "机动车无检验合格标志或者无保险标志"),
)


@dataclass(frozen=True)
class Reason:
    code: str
    article: str
    text: str


@dataclass(frozen=True)
class Eligibility:
    remote: bool
    self_settlement_allowed: bool
    reasons: list[Reason] = field(default_factory=list)


def _injury_reason(severity: InjurySeverity | None, consents: Sequence[bool | None]) -> Reason | None:
    if severity is InjurySeverity.FATAL:
        return Reason(*_DEATH)
    if severity is not InjurySeverity.SLIGHT:  # SERIOUS, or not known: never assumed slight
        return Reason(*_INJURY_NOT_SLIGHT)
    if not consents or not all(consent is True for consent in consents):
        return Reason(*_INJURY)
    return None


def assess(
    *,
    screening: dict[str, bool],
    injuries: bool,
    vehicles_movable: bool,
    injury_severity: InjurySeverity | None = None,
    consents: Sequence[bool | None] = (),
) -> Eligibility:
    """Every reason that excludes remote handling is listed, not only the first one found.

    `consents` holds each party's answer to remote handling of an injury accident (None: not asked).
    """
    reasons = [Reason(code, article, text) for flag, code, article, text in _MUST_STAY if screening.get(flag)]
    if not vehicles_movable:
        reasons.append(Reason(*_NOT_MOVABLE))
    injury = _injury_reason(injury_severity, consents) if injuries else None
    if injury is not None:
        reasons.append(injury)
    if reasons:
        return Eligibility(remote=False, self_settlement_allowed=False, reasons=reasons)
    police_only = [Reason(code, article, text) for flag, code, article, text in _NO_SELF_SETTLEMENT if screening.get(flag)]
    # Self-settlement (Art.19) is for property loss only; a slight injury needs the simple procedure.
    return Eligibility(remote=True, self_settlement_allowed=not police_only and not injuries, reasons=police_only)
