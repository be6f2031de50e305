"""Places on the map: geohash cells around a point and great-circle distances (WGS-84)."""

from __future__ import annotations

from dataclasses import dataclass

# A standby truck is indexed under the geohash-4 cell it stands in (about 39 x 19.5 km): the
# partition. Its full geohash sorts within it, so a finer cell is a `begins_with` on the sort key.
PARTITION_PRECISION = 4
FULL_PRECISION = 9


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


def encode(point: Point, precision: int = FULL_PRECISION) -> str:
    import pygeohash

    return str(pygeohash.encode(point.lat, point.lng, precision=precision))


def neighbourhood(point: Point, precision: int) -> list[str]:
    """The cell holding the point and its eight neighbours, so a point near an edge still finds
    what lies just across it; every cell covers at least `precision`'s cell size around the point."""
    import pygeohash

    centre = encode(point, precision)
    north, south = pygeohash.get_adjacent(centre, "top"), pygeohash.get_adjacent(centre, "bottom")
    cells = [centre, north, south]
    for cell in (centre, north, south):
        cells += [pygeohash.get_adjacent(cell, "left"), pygeohash.get_adjacent(cell, "right")]
    return list(dict.fromkeys(cells))


def partition_of(cell: str) -> str:
    if len(cell) < PARTITION_PRECISION:
        raise ValueError(f"a search cell must have at least {PARTITION_PRECISION} characters")
    return cell[:PARTITION_PRECISION]


def distance_m(a: Point, b: Point) -> float:
    from haversine import Unit, haversine

    return float(haversine((a.lat, a.lng), (b.lat, b.lng), unit=Unit.METERS))
