"""Tow trucks: where the standby ones are (a sparse geohash index), and a city's whole fleet."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import dispatch, geo
from chalicelib.store import paging, standby_density
from chalicelib.store.models import TowTruckItem

# Queries per block searched, at most (unless it spans partitions): ADR 0024.
MAX_RUNS = 3
# Cells this close on the curve are always read in one Query with the (few) cells between them.
RUN_GAP_CELLS = 8
# Runs are joined across cells expected to hold up to this many trucks: reading and parsing them
# costs less than another sequential Query (a round trip of 5-10 ms against some 50 us an item).
JOIN_TRUCKS = 64


def truck_key(truck_id: str) -> tuple[str, str]:
    return f"TRUCK#{truck_id}", "#TRUCK"


def fleet_of(jurisdiction: str) -> str:
    """Trucks serve a city: the city's code is the unit's code with its district digits zeroed."""
    return f"{jurisdiction[:4]}00"


def _standby_key(geohash: str) -> str:
    return f"TOWGEO#{geo.partition_of(geohash)}"


def standby_partition(point: geo.Point) -> str:
    """The index partition that lists the standby trucks at this point."""
    return _standby_key(geo.encode(point))


def new_truck(truck_id: str, **attributes: Any) -> TowTruckItem:
    """A truck with its index keys set (findable if on standby)."""
    truck = TowTruckItem(*truck_key(truck_id), truck_id=truck_id, **attributes)
    index(truck)
    return truck


def set_status(truck: TowTruckItem, status: str, at: str) -> None:
    """The truck's status, and whether the standby index lists it."""
    truck.status, truck.status_since = status, at
    index(truck)


def index(truck: TowTruckItem) -> None:
    """Set the truck's index keys from its status and position: only standby trucks are findable."""
    point = geo.Point(float(truck.lat), float(truck.lng))
    truck.geohash = geo.encode(point)
    if truck.status == dispatch.STANDBY:
        truck.gsi1pk = _standby_key(truck.geohash)
        truck.gsi1sk = f"{truck.geohash}#{truck.truck_id}"
    else:
        truck.gsi1pk = truck.gsi1sk = None
    if truck.fleet:
        truck.gsi2pk = f"FLEET#{truck.fleet}"
        truck.gsi2sk = truck.truck_id


def get(truck_id: str) -> TowTruckItem | None:
    try:
        return TowTruckItem.get(*truck_key(truck_id), consistent_read=True)
    except TowTruckItem.DoesNotExist:
        return None


def cell_ranges(cells: Iterable[str], join_gap: int = RUN_GAP_CELLS) -> list[tuple[str, str]]:
    """The cells as runs of the index's sort order (first and last cell of each run), one Query
    each: cells of one partition at most `join_gap` cells apart on the geohash curve are joined,
    then across the smallest gaps until at most `MAX_RUNS` runs are left (a few cells read for
    nothing cost less than a round trip)."""
    runs = [[cell, cell] for cell in sorted(set(cells))]
    while True:
        gaps = [(geo.cell_number(runs[i + 1][0]) - geo.cell_number(runs[i][1]), i) for i in range(len(runs) - 1)
                if geo.partition_of(runs[i][1]) == geo.partition_of(runs[i + 1][0])]
        small = [gap for gap in gaps if gap[0] <= join_gap] or ([min(gaps)] if gaps and len(runs) > MAX_RUNS else [])
        if not small:
            return [(first, last) for first, last in runs]
        _, i = small[0]
        runs[i : i + 2] = [[runs[i][0], runs[i + 1][1]]]


def join_gap(pickup: geo.Point, precision: int, density_per_km2: float | None) -> int:
    """How many cells apart on the curve two runs are still read as one Query: as many as hold
    `JOIN_TRUCKS` trucks on average at this density (never fewer than `RUN_GAP_CELLS`)."""
    if not density_per_km2:
        return RUN_GAP_CELLS
    cell_km2 = geo.block_area_km2(pickup, precision) / 9
    return max(RUN_GAP_CELLS, int(JOIN_TRUCKS / (density_per_km2 * cell_km2)))


# All a search needs of a truck: a dense block returns hundreds, each parsed (ADR 0024).
_SEARCHED = [attribute.attr_name for attribute in (TowTruckItem.truck_id, TowTruckItem.lat, TowTruckItem.lng, TowTruckItem.gsi1sk)]


def standby_in(cells: Iterable[str], gap: int = RUN_GAP_CELLS) -> list[dispatch.Truck]:
    """Standby trucks in these geohash cells: one Query per run of cells (`cell_ranges`)."""
    wanted = set(cells)
    found: dict[str, dispatch.Truck] = {}
    for first, last in cell_ranges(wanted, gap):
        # A sort key is `<geohash 9>#<truckId>`: '~' sorts after every geohash character and '#'.
        condition = TowTruckItem.gsi1sk.between(first, f"{last}~")
        for truck in TowTruckItem.gsi1.query(_standby_key(first), condition, attributes_to_get=_SEARCHED):
            if truck.gsi1sk[: len(first)] in wanted:  # a run's gaps are read, not searched
                found[truck.truck_id] = dispatch.Truck(truck.truck_id, geo.Point(float(truck.lat), float(truck.lng)))
    return list(found.values())


def nearest_standby(pickup: geo.Point, rules: dispatch.DispatchRules) -> list[dispatch.Candidate]:
    """The `candidates` standby trucks nearest the pickup within range (the 3x3 block at the
    coarsest search precision), by great-circle distance (ADR 0024).

    The search starts with the 3x3 block the fleet's density asks for: the density the last search
    near the pickup observed (`standby_density`), else the configured one. If that block does not
    prove which trucks are nearest, it jumps once to the block the density it found asks for, then
    to the whole range: at most three blocks, usually one. The density of the last block it read
    is kept for the next search (at once when it asks for another first block)."""
    cell, now = geo.encode(pickup, standby_density.DENSITY_PRECISION), datetime.now(UTC)
    observation = standby_density.of(cell)
    observed = observation.density(now)
    first = dispatch.first_precision(pickup, rules, observed)
    chosen, density = _search(pickup, rules, first, observed or rules.standby_per_km2)
    # Kept every few minutes, and at once when the next search should start elsewhere.
    if observation.due(now) or dispatch.first_precision(pickup, rules, density) != first:
        standby_density.record(cell, density, now)
    return chosen


def _search(pickup: geo.Point, rules: dispatch.DispatchRules, precision: int,
            expected_per_km2: float | None) -> tuple[list[dispatch.Candidate], float]:
    """The nearest candidates, and the density of standby trucks in the last block read."""
    coarsest = rules.search_precisions[-1]
    for _ in range(2):
        if precision <= coarsest:
            break
        trucks, expected_per_km2 = _block(pickup, precision, expected_per_km2)
        chosen = dispatch.settled(pickup, trucks, geo.block_reach_m(pickup, precision), rules)
        if chosen is not None:
            return chosen, expected_per_km2
        precision = dispatch.next_precision(pickup, precision, len(trucks), rules)
    trucks, found_per_km2 = _block(pickup, coarsest, expected_per_km2)
    return dispatch.nearest(pickup, trucks, rules.candidates), found_per_km2


def _block(pickup: geo.Point, precision: int, expected_per_km2: float | None) -> tuple[list[dispatch.Truck], float]:
    """The standby trucks of the 3x3 block around the pickup, and their density there."""
    trucks = standby_in(geo.neighbourhood(pickup, precision), join_gap(pickup, precision, expected_per_km2))
    return trucks, len(trucks) / geo.block_area_km2(pickup, precision)


def fleet(city: str, limit: int, next_token: str | None) -> Any:
    """A city's trucks by truck id, a page at a time (`last_evaluated_key` follows)."""
    return TowTruckItem.gsi2.query(f"FLEET#{city}", limit=limit, last_evaluated_key=paging.decode(next_token))
