"""Liability: the scenario catalogue, the suggestion it gives, and the rules a decision must obey.

The system only *suggests*; the officer decides. Whatever the officer decides must still be a
lawful combination under Order 146 (公安部令第146号) Art.60–61, checked by `check_consistent`:

- Art.60(1), Art.61 — one party's fault caused the accident (or that party fled, or destroyed or
  faked evidence): that party bears FULL (全部责任), so at most one FULL, and every other party NONE.
- Art.60(2) — two or more parties at fault share it by the part each played:
  - PRIMARY (主要责任): at most one, beside at least one SECONDARY (次要责任); no FULL or EQUAL beside it.
  - SECONDARY: only beside a PRIMARY.
  - EQUAL (同等责任): at least two parties EQUAL, every other party NONE.
- Art.60(3) — no party at fault (交通意外事故): every party NONE. Art.60 last paragraph: one party
  acted intentionally → the others NONE (covered by the FULL rule).
- A single party (e.g. a single-vehicle accident) can only be FULL or NONE.
- Every party of the case is given exactly one liability.

Scenarios and the motor vehicle's share of damages against a pedestrian or non-motor vehicle are
local practice, so they live in `chalicelib/config/scenarios.json`, versioned by province.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.errors import ValidationFailed

AT_FAULT_FULL = "AT_FAULT_FULL"
ALL_EQUAL = "ALL_EQUAL"
_SUGGESTIONS = frozenset({AT_FAULT_FULL, ALL_EQUAL})
_PARTY_KINDS = frozenset({"MOTOR", "NON_MOTOR", "PEDESTRIAN"})
_VULNERABLE = frozenset({"NON_MOTOR", "PEDESTRIAN"})
_FIELD = "liabilities"


class Liability(StrEnum):
    FULL = "FULL"
    PRIMARY = "PRIMARY"
    EQUAL = "EQUAL"
    SECONDARY = "SECONDARY"
    NONE = "NONE"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Liability.FULL: "全部责任",
    Liability.PRIMARY: "主要责任",
    Liability.EQUAL: "同等责任",
    Liability.SECONDARY: "次要责任",
    Liability.NONE: "无责任",
}


@dataclass(frozen=True)
class Scenario:
    code: str
    label: str
    description: str
    suggested: str
    accident_form: str
    collision_parts: tuple[str, str | None]

    @property
    def single_vehicle(self) -> bool:
        """No other vehicle is involved: the catalogue gives no collision part for the other party."""
        return self.collision_parts[1] is None


@dataclass(frozen=True)
class Catalogue:
    province: str
    version: str
    scenarios: tuple[Scenario, ...]
    source: str = ""

    def get(self, code: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.code == code:
                return scenario
        raise ValidationFailed("unknown scenario; see GET /scenarios", field="scenario")


def catalogue(config: dict[str, Any], province: str | None = None) -> Catalogue:
    """The province's catalogue from `config.load("scenarios")`; the configured default when none is given.

    A malformed catalogue is a programming error (ValueError); an unknown province is the caller's
    (ValidationFailed on field "province").
    """
    code = province or config["default"]
    entry = config["provinces"].get(code)
    if entry is None:
        raise ValidationFailed(f"unknown province {code!r}; known: {', '.join(sorted(config['provinces']))}", field="province")
    scenarios = tuple(_scenario(item) for item in entry["scenarios"])
    codes = [s.code for s in scenarios]
    duplicates = sorted(c for c, n in Counter(codes).items() if n > 1)
    if duplicates:
        raise ValueError(f"scenario catalogue {entry['version']}: duplicate codes {duplicates}")
    return Catalogue(province=code, version=entry["version"], scenarios=scenarios, source=entry.get("source", ""))


def _scenario(item: dict[str, Any]) -> Scenario:
    if item["suggested"] not in _SUGGESTIONS:
        raise ValueError(f"scenario {item['code']}: suggested must be one of {sorted(_SUGGESTIONS)}")
    parts = item["collisionParts"]
    if not parts.get("atFault"):
        raise ValueError(f"scenario {item['code']}: collisionParts.atFault is required")
    return Scenario(
        code=item["code"],
        label=item["label"],
        description=item["description"],
        suggested=item["suggested"],
        accident_form=item["accidentForm"],
        collision_parts=(parts["atFault"], parts.get("other")),
    )


def suggest(scenario: Scenario, at_fault_party_id: str | None, party_ids: list[str]) -> dict[str, Liability]:
    """The liabilities the catalogue suggests for the scenario, one per party, in `party_ids` order.

    AT_FAULT_FULL: the at-fault party FULL, every other party NONE. The at-fault party must be one of
    the case's parties; a collision scenario needs at least two parties, a single-vehicle one only one.
    ALL_EQUAL: every party EQUAL; needs at least two parties; an at-fault party, if given, is ignored.
    A single-vehicle scenario involves no other party, so it is refused for two or more parties.
    """
    if scenario.single_vehicle and len(party_ids) > 1:
        raise ValidationFailed(
            f"scenario {scenario.code} is an accident of one vehicle alone; this case has {len(party_ids)} parties", field="scenario"
        )
    if scenario.suggested == ALL_EQUAL:
        if len(party_ids) < 2:
            raise ValidationFailed(f"scenario {scenario.code} needs at least two parties", field="scenario")
        return dict.fromkeys(party_ids, Liability.EQUAL)
    if at_fault_party_id is None:
        raise ValidationFailed(f"scenario {scenario.code} needs the at-fault party", field="atFaultPartyId")
    if at_fault_party_id not in party_ids:
        raise ValidationFailed(f"at-fault party {at_fault_party_id!r} is not a party of this case", field="atFaultPartyId")
    if not scenario.single_vehicle and len(party_ids) < 2:
        raise ValidationFailed(f"scenario {scenario.code} needs at least two parties", field="scenario")
    return {party_id: Liability.FULL if party_id == at_fault_party_id else Liability.NONE for party_id in party_ids}


def check_consistent(liabilities: dict[str, Liability], party_ids: list[str]) -> None:
    """Refuse a combination of liabilities that Order 146 Art.60–61 does not allow (see the module docstring).

    Values may be `Liability` members or their string values. Raises ValidationFailed on field
    "liabilities", the message naming the rule broken.
    """
    duplicates = sorted(p for p, n in Counter(party_ids).items() if n > 1)
    if duplicates:
        raise ValidationFailed(f"party {duplicates[0]!r} is listed twice", field=_FIELD)
    if not party_ids:
        raise ValidationFailed("a case needs at least one party", field=_FIELD)
    unknown = [p for p in liabilities if p not in party_ids]
    if unknown:
        raise ValidationFailed(f"every party exactly once: {unknown[0]!r} is not a party of this case", field=_FIELD)
    missing = [p for p in party_ids if p not in liabilities]
    if missing:
        raise ValidationFailed(f"every party exactly once: no liability for party {missing[0]!r}", field=_FIELD)

    values: list[Liability] = []
    for party_id in party_ids:
        try:
            values.append(Liability(liabilities[party_id]))
        except ValueError:
            raise ValidationFailed(
                f"party {party_id!r}: unknown liability {liabilities[party_id]!r}; one of {', '.join(Liability)}", field=_FIELD
            ) from None
    count = Counter(values)

    if len(values) == 1:
        if values[0] not in (Liability.FULL, Liability.NONE):
            raise ValidationFailed("a single party can only bear FULL or NONE liability (Art.60)", field=_FIELD)
        return
    if count[Liability.FULL]:
        if count[Liability.FULL] > 1 or count[Liability.NONE] != len(values) - 1:
            raise ValidationFailed("FULL liability: at most one party, and every other party NONE (Art.60(1), Art.61)", field=_FIELD)
        return
    if count[Liability.PRIMARY]:
        if count[Liability.PRIMARY] > 1:
            raise ValidationFailed("PRIMARY liability: at most one party (Art.60(2))", field=_FIELD)
        if count[Liability.EQUAL]:
            raise ValidationFailed("PRIMARY liability: no EQUAL beside it (Art.60(2))", field=_FIELD)
        if not count[Liability.SECONDARY]:
            raise ValidationFailed("PRIMARY liability needs at least one SECONDARY party (Art.60(2))", field=_FIELD)
        return
    if count[Liability.SECONDARY]:
        raise ValidationFailed("SECONDARY liability needs a PRIMARY party (Art.60(2))", field=_FIELD)
    if count[Liability.EQUAL]:
        if count[Liability.EQUAL] < 2:
            raise ValidationFailed("EQUAL liability needs at least two EQUAL parties, every other party NONE (Art.60(2))", field=_FIELD)
        return
    # Every party NONE: 交通意外事故, Art.60(3).


def damage_shares(liabilities: dict[str, Liability], kinds: dict[str, str], shares: dict[str, Any]) -> dict[str, int]:
    """Percent of damages beyond insurance borne by each motor vehicle facing only pedestrians or non-motor vehicles.

    `kinds` maps every party to "MOTOR", "NON_MOTOR" or "PEDESTRIAN"; `shares` is the `damageShares`
    block of scenarios.json (local practice). A motor party is listed only when every other party is a
    pedestrian or a non-motor vehicle (and there is at least one); otherwise the result is empty.
    """
    for party_id in liabilities:
        kind = kinds.get(party_id)
        if kind is None:
            raise ValidationFailed(f"no kind for party {party_id!r}", field="kind")
        if kind not in _PARTY_KINDS:
            raise ValidationFailed(f"party {party_id!r}: unknown kind {kind!r}; one of {', '.join(sorted(_PARTY_KINDS))}", field="kind")
    result: dict[str, int] = {}
    for party_id, liability in liabilities.items():
        if kinds[party_id] != "MOTOR":
            continue
        others = [kinds[p] for p in liabilities if p != party_id]
        if others and all(kind in _VULNERABLE for kind in others):
            result[party_id] = int(shares[Liability(liability).value])
    return result
