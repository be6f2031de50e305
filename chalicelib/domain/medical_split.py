"""Who pays an injured person's emergency treatment: each vehicle's 交强险, then the rescue fund.

Every amount is integer fen. Nothing here does I/O: the limits are passed in (callers read them
with `domain.insurance.compulsory_limits` from `config/insurance.json`).

- Each insured vehicle pays within its medical limit for the accident: the "liable" column when it
  bears any liability, the "not liable" column otherwise. The limit is per vehicle and per
  accident, so ALL the people injured in the accident share it, pro rata to their bills.
- Several insured vehicles share what is covered in proportion to their limits (最高人民法院 道路交通
  事故损害赔偿解释 Art.18/21): when the bills exceed the limits added up, every vehicle pays its
  whole limit; otherwise each pays the bills times its limit over the limits' sum. The vehicles
  are taken in vehicle id order and each spreads its amount over what is still uncovered of each
  person's bill, so a person never gets more than their bill.
- What no 交强险 covers is advanced by the road rescue fund (救助基金办法 Art.14), with the reasons:
  a vehicle without 交强险 (UNINSURED), a driver who fled (HIT_AND_RUN), bills over the limits of
  the insured vehicles (EXCEEDS_LIMIT).
- The fund recovers its advance from the vehicles' side by their share of liability (the weights
  `share_percent`; none with a share: nothing to recover from a vehicle).
- Splits of a whole into parts use the largest-remainder method, ties broken by id: no fen is lost
  or created, and the same input gives the same split.
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
    """Valid 交强险 (False for an unknown hit-and-run vehicle)."""
    liable: bool
    """Bears any liability (FULL/PRIMARY/EQUAL/SECONDARY): the liable column of the limit."""
    share_percent: int
    """Share of the damages beyond insurance, 0..100."""
    hit_and_run: bool = False


@dataclass(frozen=True)
class MedicalSplit:
    insurer: Mapping[tuple[str, str], int]
    """(vehicle_id, person_id) -> fen that vehicle's 交强险 pays; every insured vehicle × every person."""
    fund: Mapping[str, int]
    """person_id -> fen the rescue fund advances (0 when insurance covers the whole bill)."""
    reasons: Mapping[str, frozenset[FundReason]]
    """person_id -> why the fund advances (empty when it does not)."""
    recover: Mapping[tuple[str, str], int]
    """(vehicle_id, person_id) -> fen of the fund's advance to recover from that vehicle's side."""


def apportion(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """`total` split over the keys pro rata to their weights (largest remainder, ties by key).

    All weights zero (or none): every key gets 0 and `total` must be 0.
    """
    weight_sum = sum(weights.values())
    if weight_sum == 0:
        if total:
            raise ValueError("cannot apportion a non-zero total over zero weights")
        return dict.fromkeys(weights, 0)
    shares = {key: total * weight // weight_sum for key, weight in weights.items()}
    remainders = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in remainders[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def _check(bills: Mapping[str, int], vehicles: Sequence[CoveredVehicle], liable_limit: int, not_liable_limit: int) -> None:
    if not vehicles:
        raise ValueError("an accident with an injured person has at least one vehicle (an unknown one for a hit-and-run)")
    if len({v.vehicle_id for v in vehicles}) != len(vehicles):
        raise ValueError("vehicle ids must be distinct")
    if any(amount < 0 for amount in bills.values()):
        raise ValueError("a bill cannot be negative")
    if liable_limit < 0 or not_liable_limit < 0:
        raise ValueError("a limit cannot be negative")
    if any(not 0 <= v.share_percent <= 100 for v in vehicles):
        raise ValueError("share_percent is 0..100")


def split_medical(
    bills: Mapping[str, int], vehicles: Sequence[CoveredVehicle], *, liable_limit: int, not_liable_limit: int
) -> MedicalSplit:
    """The 交强险 part per vehicle and person, the fund's advance per person with its reasons, and
    what the fund recovers from each vehicle's side. Bad input is a programming error (ValueError)."""
    _check(bills, vehicles, liable_limit, not_liable_limit)
    insured = sorted((v for v in vehicles if v.insured), key=lambda v: v.vehicle_id)
    limits = {v.vehicle_id: liable_limit if v.liable else not_liable_limit for v in insured}
    billed = sum(bills.values())
    capacity = sum(limits.values())
    paid_by_vehicle = limits if billed >= capacity else apportion(billed, limits)

    uncovered = dict(bills)
    insurer: dict[tuple[str, str], int] = {}
    for vehicle in insured:
        # What this vehicle pays never exceeds what is still uncovered, so no share exceeds a bill.
        shares = apportion(paid_by_vehicle[vehicle.vehicle_id], uncovered)
        for person, amount in shares.items():
            insurer[(vehicle.vehicle_id, person)] = amount
            uncovered[person] -= amount

    common_reasons = {reason for reason, present in _accident_reasons(vehicles).items() if present}
    reasons = {
        person: frozenset(common_reasons | ({FundReason.EXCEEDS_LIMIT} if insured else set())) if rest else frozenset()
        for person, rest in uncovered.items()
    }
    shares_by_vehicle = {v.vehicle_id: v.share_percent for v in vehicles if v.share_percent}
    recover: dict[tuple[str, str], int] = {}
    for person, rest in sorted(uncovered.items()):
        if rest and shares_by_vehicle:
            for vehicle_id, amount in apportion(rest, shares_by_vehicle).items():
                recover[(vehicle_id, person)] = amount
    return MedicalSplit(insurer=insurer, fund=uncovered, reasons=reasons, recover=recover)


def _accident_reasons(vehicles: Sequence[CoveredVehicle]) -> dict[FundReason, bool]:
    return {
        FundReason.UNINSURED: any(not v.insured and not v.hit_and_run for v in vehicles),
        FundReason.HIT_AND_RUN: any(v.hit_and_run for v in vehicles),
    }
