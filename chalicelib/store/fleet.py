"""Tow trucks: where the standby ones are (a sparse geohash index), and a city's whole fleet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain import dispatch, geo
from chalicelib.store.models import TowTruckItem


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


def standby_in(cells: Iterable[str]) -> list[dispatch.Truck]:
    """Standby trucks in these geohash cells: one Query per cell, on the cell's partition."""
    found: dict[str, dispatch.Truck] = {}
    for cell in cells:
        condition = TowTruckItem.gsi1sk.startswith(cell)
        for truck in TowTruckItem.gsi1.query(_standby_key(cell), condition):
            found[truck.truck_id] = dispatch.Truck(truck.truck_id, geo.Point(float(truck.lat), float(truck.lng)))
    return list(found.values())


def nearest_standby(pickup: geo.Point, rules: dispatch.DispatchRules) -> list[dispatch.Candidate]:
    """Widening rings: the 3x3 cells around the pickup at the finest precision first, coarser
    until enough trucks are found; the nearest of them by great-circle distance."""
    trucks: list[dispatch.Truck] = []
    for precision in rules.search_precisions:
        trucks = standby_in(geo.neighbourhood(pickup, precision))
        if len(trucks) >= rules.candidates:
            break
    return dispatch.nearest(pickup, trucks, rules.candidates)


def fleet(city: str) -> list[TowTruckItem]:
    return list(TowTruckItem.gsi2.query(f"FLEET#{city}"))
