"""Who pays an injured person's emergency treatment: each vehicle's 交强险, then the rescue fund.

Every amount is integer fen. Nothing here does I/O: the limits are passed in (callers read them
with `domain.insurance.compulsory_limits` from `config/insurance.json`).

- Each insured vehicle pays within its medical limit for the accident: the "liable" column when it
  bears any liability, the "not liable" column otherwise. 交强险 covers third parties, never the
  vehicle's own people (`CoveredVehicle.excludes`), so a vehicle's limit is shared by the injured
  people it covers, pro rata to their bills: that is each person's share of the vehicle's limit.
- A person covered by several insured vehicles is paid by them in proportion to those shares (so
  in proportion to the limits when nobody is excluded, 最高人民法院 道路交通事故损害赔偿解释 Art.18/21):
  each pays its whole share when the bill is at least their sum, else the bill is divided in the
  shares' proportion. A person never gets more than their bill; a vehicle never more than its limit.
- What no 交强险 covers is advanced by the road rescue fund (救助基金办法 Art.14), with the reasons,
  judged over the vehicles that answer for that person: a vehicle without 交强险 (UNINSURED), a
  driver who fled (HIT_AND_RUN), bills over the limits of the insured vehicles (EXCEEDS_LIMIT).
  A person no vehicle answers for (a single-vehicle accident's own driver) is `unclaimed`: none
  of the fund's reasons applies.
- The fund recovers its advance from the vehicles' side by their share of liability (the weights
  `share_percent`; none with a share: nothing to recover from a vehicle).
- Splits of a whole into parts use the largest-remainder method, ties broken by id: no fen is lost
  or created, and the same input gives the same split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    excludes: frozenset[str] = frozenset()
    """The injured people this vehicle's 交强险 does not cover: its own driver and occupants."""

    def covers(self, person: str) -> bool:
        return person not in self.excludes


@dataclass(frozen=True)
class MedicalSplit:
    insurer: Mapping[tuple[str, str], int]
    """(vehicle_id, person_id) -> fen that vehicle's 交强险 pays; every insured vehicle × every person it covers."""
    fund: Mapping[str, int]
    """person_id -> fen the rescue fund advances (0 when insurance covers the whole bill or no reason applies)."""
    reasons: Mapping[str, frozenset[FundReason]]
    """person_id -> why the fund advances (empty when it does not)."""
    recover: Mapping[tuple[str, str], int]
    """(vehicle_id, person_id) -> fen of the fund's advance to recover from that vehicle's side."""
    unclaimed: Mapping[str, int] = field(default_factory=dict)
    """person_id -> fen neither a 交强险 nor the fund answers for (no vehicle covers that person)."""


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
    limit_shares = {v.vehicle_id: _limit_shares(v, bills, liable_limit if v.liable else not_liable_limit) for v in insured}

    insurer: dict[tuple[str, str], int] = {}
    uncovered: dict[str, int] = {}
    for person, bill in bills.items():
        shares = {vehicle_id: by_person[person] for vehicle_id, by_person in limit_shares.items() if person in by_person}
        # Each share is at most the vehicle's limit shared; dividing a smaller bill in their
        # proportion keeps every part under its share (largest remainder adds at most 1 to a floor).
        parts = shares if bill >= sum(shares.values()) else apportion(bill, shares)
        for vehicle_id, amount in parts.items():
            insurer[(vehicle_id, person)] = amount
        uncovered[person] = bill - sum(parts.values())

    reasons = {person: _reasons([v for v in vehicles if v.covers(person)]) if rest else frozenset()
               for person, rest in uncovered.items()}
    fund = {person: rest if reasons[person] else 0 for person, rest in uncovered.items()}
    unclaimed = {person: rest for person, rest in uncovered.items() if rest and not reasons[person]}
    shares_by_vehicle = {v.vehicle_id: v.share_percent for v in vehicles if v.share_percent}
    recover: dict[tuple[str, str], int] = {}
    for person, rest in sorted(fund.items()):
        if rest and shares_by_vehicle:
            for vehicle_id, amount in apportion(rest, shares_by_vehicle).items():
                recover[(vehicle_id, person)] = amount
    return MedicalSplit(insurer=insurer, fund=fund, reasons=reasons, recover=recover, unclaimed=unclaimed)


def _limit_shares(vehicle: CoveredVehicle, bills: Mapping[str, int], limit: int) -> dict[str, int]:
    """The vehicle's limit shared by the people it covers, pro rata to their bills (nothing when
    their bills are all zero)."""
    covered = {person: bill for person, bill in bills.items() if vehicle.covers(person)}
    if not any(covered.values()):
        return dict.fromkeys(covered, 0)
    return apportion(limit, covered)


def _reasons(covering: Sequence[CoveredVehicle]) -> frozenset[FundReason]:
    """Why the fund advances for a person, from the vehicles that answer for them (none: no reason)."""
    found = set()
    if any(not v.insured and not v.hit_and_run for v in covering):
        found.add(FundReason.UNINSURED)
    if any(v.hit_and_run for v in covering):
        found.add(FundReason.HIT_AND_RUN)
    if any(v.insured for v in covering):
        found.add(FundReason.EXCEEDS_LIMIT)
    return frozenset(found)
