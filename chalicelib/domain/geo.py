"""Places on the map: geohash cells around a point and great-circle distances (WGS-84)."""

from __future__ import annotations

from dataclasses import dataclass

# A standby truck is indexed under the geohash-3 cell it stands in (about 156 x 156 km, a city and
# its surroundings): the partition. Its full geohash sorts within it, so a finer cell is a
# `begins_with` on the sort key and neighbouring cells a `BETWEEN` (ADR 0024).
PARTITION_PRECISION = 3
# Searches use cells no coarser than geohash 4: its 3x3 block (about 117 x 58 km) is the range.
COARSEST_SEARCH_PRECISION = 4
FULL_PRECISION = 9
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


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


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float


def cell_box(cell: str) -> Box:
    import pygeohash

    centre = pygeohash.decode_exactly(cell)
    return Box(centre.latitude - centre.latitude_error, centre.latitude + centre.latitude_error,
               centre.longitude - centre.longitude_error, centre.longitude + centre.longitude_error)


def block_reach_m(point: Point, precision: int) -> float:
    """How far from the point its 3x3 block of cells surely reaches: the distance to the block's
    nearest edge, a little short (a meridian's nearest point is not quite on the point's parallel)."""
    centre = cell_box(encode(point, precision))
    height, width = centre.north - centre.south, centre.east - centre.west
    edges = [Point(centre.south - height, point.lng), Point(centre.north + height, point.lng),
             Point(point.lat, centre.west - width), Point(point.lat, centre.east + width)]
    return min(distance_m(point, edge) for edge in edges) * 0.99 - 1


def cell_side_m(lat: float, precision: int) -> float:
    """The shorter side of a cell of this precision at this latitude."""
    box = cell_box(encode(Point(lat, 0.0), precision))
    return min(distance_m(Point(box.south, 0.0), Point(box.north, 0.0)), distance_m(Point(lat, box.west), Point(lat, box.east)))


def block_area_km2(point: Point, precision: int) -> float:
    """The area of the point's 3x3 block of cells."""
    box = cell_box(encode(point, precision))
    height = distance_m(Point(box.south, point.lng), Point(box.north, point.lng))
    width = distance_m(Point(point.lat, box.west), Point(point.lat, box.east))
    return 9 * height * width / 1e6


def precision_reaching(radius_m: float, lat: float, finest: int, coarsest: int) -> int:
    """The finest precision (between the two) whose 3x3 block surely reaches `radius_m` around any
    point: a cell's shorter side is at least the radius."""
    for precision in range(finest, coarsest, -1):
        if cell_side_m(lat, precision) >= radius_m:
            return precision
    return coarsest


def cell_number(cell: str) -> int:
    """The cell's place in geohash (Z-curve) order among the cells of its precision."""
    number = 0
    for char in cell:
        number = number * 32 + _BASE32.index(char)
    return number


def partition_of(cell: str) -> str:
    if len(cell) < PARTITION_PRECISION:
        raise ValueError(f"a search cell must have at least {PARTITION_PRECISION} characters")
    return cell[:PARTITION_PRECISION]


def distance_m(a: Point, b: Point) -> float:
    from haversine import Unit, haversine

    return float(haversine((a.lat, a.lng), (b.lat, b.lng), unit=Unit.METERS))
