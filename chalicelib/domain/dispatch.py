"""Rescue dispatch rules: who is offered the job next, when it is given up, how long the truck takes.

Order states: SEARCHING → OFFERED ⇄ SEARCHING → ASSIGNED → ARRIVED → COMPLETED, or ESCALATED
(no truck left: a dispatcher takes over), CANCELLED, FAILED. A truck is STANDBY, OFFERED (one
order waits for its answer), BUSY (on a job) or OFFLINE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.dataclasses import dataclass as stored_dataclass

from chalicelib.domain import geo
from chalicelib.domain.geo import COARSEST_SEARCH_PRECISION, FULL_PRECISION, Point, distance_m
from chalicelib.errors import Conflict, NoTruckAvailable

SEARCHING = "SEARCHING"
OFFERED = "OFFERED"
ASSIGNED = "ASSIGNED"
ARRIVED = "ARRIVED"
COMPLETED = "COMPLETED"
ESCALATED = "ESCALATED"
CANCELLED = "CANCELLED"
FAILED = "FAILED"
ORDER_STATUSES = (SEARCHING, OFFERED, ASSIGNED, ARRIVED, COMPLETED, ESCALATED, CANCELLED, FAILED)
OPEN = frozenset({SEARCHING, OFFERED, ASSIGNED, ARRIVED})
# Once a truck is on its way the search is over; before that the order may still be offered on.
UNASSIGNED = frozenset({SEARCHING, OFFERED})
# An escalated order waits for a dispatcher, who closes it once help is arranged another way.
CANCELLABLE = OPEN | {ESCALATED}

STANDBY = "STANDBY"
TRUCK_OFFERED = "OFFERED"
BUSY = "BUSY"
OFFLINE = "OFFLINE"
TRUCK_STATUSES = (STANDBY, TRUCK_OFFERED, BUSY, OFFLINE)

# Answers to an offer.
OPEN_OFFER = "OPEN"
ACCEPTED = "ACCEPTED"
DECLINED = "DECLINED"
TIMED_OUT = "TIMED_OUT"
WITHDRAWN = "WITHDRAWN"

# What the workflow waits for after the truck accepted.
ARRIVAL = "ARRIVAL"
COMPLETION = "COMPLETION"
MILESTONE_STATUS = {ARRIVAL: ASSIGNED, COMPLETION: ARRIVED}


class DispatchRules(BaseModel):
    """`config/rescue.json`: local practice, versioned with the code."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    candidates: int = Field(ge=1, le=50)
    max_offers: int = Field(ge=1, le=20)
    # Geohash lengths searched between, finest first: no coarser than 4 (its 3x3 block is the
    # range), no finer than the geohash kept on each truck (9).
    search_precisions: list[Annotated[int, Field(ge=COARSEST_SEARCH_PRECISION, le=FULL_PRECISION)]] = Field(min_length=1)
    # Standby trucks per km² where the fleet works: picks the first precision searched (ADR 0024).
    standby_per_km2: float | None = Field(default=None, gt=0)
    road_factor: float = Field(ge=1, le=3)
    average_speed_kmh: float = Field(gt=0, le=120)
    dispatch_minutes: int = Field(ge=0, le=60)
    arrival_grace_minutes: int = Field(ge=0, le=240)


@dataclass(frozen=True)
class Truck:
    truck_id: str
    position: Point


# Kept on the order as found (`truckId`, `distanceM`), so the offers go down the same list.
@stored_dataclass(frozen=True, config=ConfigDict(alias_generator=to_camel, populate_by_name=True))
class Candidate:
    truck_id: str
    distance_m: int

    def as_dict(self) -> dict[str, Any]:
        return {"truckId": self.truck_id, "distanceM": self.distance_m}


def nearest(pickup: Point, trucks: list[Truck], limit: int) -> list[Candidate]:
    """The `limit` trucks closest to the pickup, nearest first (ties by truck id, so stable)."""
    if limit <= 0:
        return []
    ranked = sorted((round(distance_m(pickup, t.position)), t.truck_id) for t in trucks)
    seen: set[str] = set()
    chosen: list[Candidate] = []
    for distance, truck_id in ranked:
        if truck_id not in seen:
            seen.add(truck_id)
            chosen.append(Candidate(truck_id, distance))
        if len(chosen) == limit:
            break
    return chosen


# The disc a block surely reaches (its nearest edge) should hold this many times the candidates
# wanted: 12 for 8 trucks settle the search about 9 times in 10 (Poisson), more in practice as most
# pickups' blocks reach further. A 3x3 block holds about 5x its disc, so a settled search reads
# about 7x the candidates; a larger margin tips dense fleets onto the next coarser precision,
# whose block holds some 30x more trucks (ADR 0024).
SEARCH_MARGIN = 1.5


# The first block is chosen boldly: its disc should hold 0.75 x the candidates. A block one precision
# too fine that does not settle costs one more Query and its few trucks before the jump; one too
# coarse reads some 30x more trucks every time, and an observed density wobbles (a pickup at the
# fleet's edge sees half of it), so the first block stays fine unless the fleet is far sparser.
FIRST_BLOCK_MARGIN = 0.75


def reach_for(density_per_km2: float, rules: DispatchRules, margin: float = SEARCH_MARGIN) -> float:
    """The radius (m) that holds `margin` x `candidates` trucks on average at this density."""
    return math.sqrt(margin * rules.candidates / (math.pi * density_per_km2)) * 1000


def first_precision(pickup: Point, rules: DispatchRules, counted_per_km2: float | None = None) -> int:
    """Where the search starts: the finest block that reaches far enough for the fleet's density,
    as counted around the pickup when known, else as configured. Nobody counted near the pickup
    starts with the whole range."""
    finest, coarsest = rules.search_precisions[0], rules.search_precisions[-1]
    density = rules.standby_per_km2 if counted_per_km2 is None else counted_per_km2
    if density is None:
        return finest
    if density <= 0:
        return coarsest
    return geo.precision_reaching(reach_for(density, rules, FIRST_BLOCK_MARGIN), pickup.lat, finest, coarsest)


def next_precision(pickup: Point, precision: int, found: int, rules: DispatchRules) -> int:
    """One jump after a block that did not settle the search: to the block the density it showed
    asks for, or straight to the whole range when it held nobody."""
    coarsest = rules.search_precisions[-1]
    if found == 0 or precision - 1 <= coarsest:
        return coarsest
    density = found / geo.block_area_km2(pickup, precision)
    return min(precision - 1, geo.precision_reaching(reach_for(density, rules), pickup.lat, precision - 1, coarsest))


def settled(pickup: Point, trucks: list[Truck], reach_m: float, rules: DispatchRules) -> list[Candidate] | None:
    """The nearest candidates if the block read proves them nearest of all: each closer than any
    truck outside the block can be. None when the block does not decide it."""
    chosen = nearest(pickup, trucks, rules.candidates)
    if len(chosen) == rules.candidates and chosen[-1].distance_m < reach_m:
        return chosen
    return None


def next_candidate(candidates: list[Candidate], offered: list[str], unavailable: set[str], rules: DispatchRules) -> Candidate:
    """The nearest candidate not yet asked and still free; NoTruckAvailable once `maxOffers`
    offers were made or nobody is left."""
    if len(offered) >= rules.max_offers:
        raise NoTruckAvailable(f"{len(offered)} trucks were offered the job and none took it", field="truckId")
    for candidate in candidates:
        if candidate.truck_id not in offered and candidate.truck_id not in unavailable:
            return candidate
    raise NoTruckAvailable("no standby tow truck is left near the pickup", field="truckId")


def eta_minutes(road_distance_m: float, rules: DispatchRules) -> int:
    """Minutes from acceptance to arrival: getting going plus the drive at the average speed."""
    # Exact arithmetic: a drive of a whole number of minutes must not round up to the next one.
    driving = Fraction(road_distance_m) * 60 / (Fraction(rules.average_speed_kmh) * 1000)
    return rules.dispatch_minutes + math.ceil(driving)


def road_distance_m(straight_m: float, rules: DispatchRules) -> int:
    return round(straight_m * rules.road_factor)


def arrival_deadline(accepted_at: datetime, eta: int, rules: DispatchRules) -> datetime:
    """When a dispatcher is alerted if the truck has not reported its arrival."""
    return accepted_at + timedelta(minutes=eta + rules.arrival_grace_minutes)


def run_name(case_id: str, seq: int, dispatch_round: int) -> str:
    """The deterministic name of an order's workflow run: one run per order and dispatch round."""
    base = f"rescue-{case_id}-{seq}"
    return base if dispatch_round == 1 else f"{base}-r{dispatch_round}"


def ensure_escalated(status: str) -> None:
    if status != ESCALATED:
        raise Conflict(f"the rescue order is {status}; only an escalated order is dispatched again", field="status", status=status)


def ensure_cancellable(status: str) -> None:
    if status not in CANCELLABLE:
        raise Conflict(f"the rescue order is {status} and can no longer be cancelled", field="status", status=status)
