"""PROVISIONAL (helper M3): the medical split as `/work/medical_interfaces.md` defines it for M1.

M1 (branch medical-pure) owns this module; the lead keeps M1's at merge. This stand-in follows
the interface so the payers (services/medical_payers) can be built and tested before the merge:
each insured vehicle's limit is shared by all injured people pro rata to their bills
(largest remainder), nobody gets more than their bill, the uncovered rest is the fund's advance,
split for recovery by liability share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class FundReason(StrEnum):
    EXCEEDS_LIMIT = "EXCEEDS_LIMIT"
    UNINSURED = "UNINSURED"
    HIT_AND_RUN = "HIT_AND_RUN"


@dataclass(frozen=True)
class CoveredVehicle:
    vehicle_id: str
    insured: bool
    liable: bool
    share_percent: int
    hit_and_run: bool = False


@dataclass(frozen=True)
class MedicalSplit:
    insurer: Mapping[tuple[str, str], int]
    fund: Mapping[str, int]
    reasons: Mapping[str, frozenset[FundReason]]
    recover: Mapping[tuple[str, str], int]


def _largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """`total` split by `weights` in whole units; the remainders go to the largest fractions (ties by key)."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    floors = {key: total * weight // weight_sum for key, weight in weights.items()}
    left = total - sum(floors.values())
    by_fraction = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in by_fraction[:left]:
        floors[key] += 1
    return floors


def split_medical(
    bills: Mapping[str, int], vehicles: Sequence[CoveredVehicle], *, liable_limit: int, not_liable_limit: int
) -> MedicalSplit:
    insurer: dict[tuple[str, str], int] = {}
    still_owed = dict(bills)
    for vehicle in sorted(vehicles, key=lambda v: v.vehicle_id):
        if not vehicle.insured or vehicle.hit_and_run:
            continue
        limit = liable_limit if vehicle.liable else not_liable_limit
        owed = {person: amount for person, amount in still_owed.items() if amount > 0}
        shares = _largest_remainder(min(limit, sum(owed.values())), owed)
        for person, amount in shares.items():
            if amount:
                insurer[(vehicle.vehicle_id, person)] = amount
                still_owed[person] -= amount
    fund = {person: amount for person, amount in still_owed.items() if amount > 0}
    reasons: dict[str, frozenset[FundReason]] = {}
    for person in bills:
        why: set[FundReason] = set()
        if person in fund:
            if any(v.hit_and_run for v in vehicles):
                why.add(FundReason.HIT_AND_RUN)
            if any(not v.insured and not v.hit_and_run for v in vehicles):
                why.add(FundReason.UNINSURED)
            if any((vid, person) in insurer for vid in (v.vehicle_id for v in vehicles)) or not why:
                why.add(FundReason.EXCEEDS_LIMIT)
        reasons[person] = frozenset(why)
    recover: dict[tuple[str, str], int] = {}
    weights = {v.vehicle_id: v.share_percent for v in vehicles if v.share_percent > 0}
    for person, amount in fund.items():
        for vehicle_id, part in _largest_remainder(amount, weights).items():
            if part:
                recover[(vehicle_id, person)] = part
    return MedicalSplit(insurer=insurer, fund=fund, reasons=reasons, recover=recover)
