import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.geo import FULL_PRECISION, PARTITION_PRECISION, Point, distance_m, encode, neighbourhood, partition_of

MEAN_EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius, the one great-circle distances on WGS-84 use
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"


# --- independent helpers: written out here so the tests do not trust the code under test ------


def _bounds(cell: str) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a geohash cell, decoded bit by bit."""
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    even = True  # the first bit halves longitude
    for char in cell:
        bits = BASE32.index(char)
        for shift in range(4, -1, -1):
            bit = (bits >> shift) & 1
            if even:
                middle = (west + east) / 2
                west, east = (middle, east) if bit else (west, middle)
            else:
                middle = (south + north) / 2
                south, north = (middle, north) if bit else (south, middle)
            even = not even
    return south, north, west, east


def _size(precision: int) -> tuple[float, float]:
    """(height, width) in degrees of a cell of this precision: 5 bits a character, longitude first."""
    bits = 5 * precision
    return 180 / 2 ** (bits // 2), 360 / 2 ** (bits - bits // 2)


def _wrap(lng: float) -> float:
    return (lng + 180) % 360 - 180


def _haversine_m(a: Point, b: Point) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _inside(point: Point, cell: str) -> bool:
    south, north, west, east = _bounds(cell)
    return south <= point.lat <= north and west <= point.lng <= east


@st.composite
def points_and_precisions(draw):
    """A precision and a point at least one cell away from either pole (the poles have no cell beyond)."""
    precision = draw(st.integers(min_value=1, max_value=FULL_PRECISION))
    height, _ = _size(precision)
    lat = draw(st.floats(min_value=-90 + height * 1.01, max_value=90 - height * 1.01, allow_nan=False))
    lng = draw(st.floats(min_value=-180, max_value=180, allow_nan=False, exclude_max=True))
    return Point(lat, lng), precision


YANCHENG = Point(33.3801, 120.1502)


# --- encode ------------------------------------------------------------------------------------


def test_given_the_reference_point_when_encoded_then_it_gives_the_published_geohash():
    # The example of the geohash article: 57.64911, 10.40744 is u4pruydqqvj.
    assert encode(Point(57.64911, 10.40744), 11) == "u4pruydqqvj"


def test_given_no_precision_when_encoded_then_the_full_nine_character_geohash_is_given():
    assert FULL_PRECISION == 9
    assert encode(Point(57.64911, 10.40744)) == "u4pruydqq"


@pytest.mark.parametrize("precision", range(1, 13))
def test_given_a_precision_when_encoded_then_the_cell_has_that_many_characters_and_holds_the_point(precision):
    cell = encode(YANCHENG, precision)
    assert len(cell) == precision
    assert set(cell) <= set(BASE32)
    assert _inside(YANCHENG, cell)


@given(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False), st.integers(1, 9))
def test_given_any_point_when_encoded_then_the_coarser_cell_is_a_prefix_of_the_finer(lat, lng, precision):
    point = Point(lat, lng)
    assert encode(point).startswith(encode(point, precision))


# --- neighbourhood -----------------------------------------------------------------------------


@given(points_and_precisions())
def test_given_a_point_when_its_neighbourhood_is_asked_then_nine_distinct_cells_of_that_precision_hold_its_cell(case):
    point, precision = case
    cells = neighbourhood(point, precision)
    assert len(cells) == 9
    assert len(set(cells)) == 9
    assert all(len(cell) == precision for cell in cells)
    assert encode(point, precision) in cells


@given(points_and_precisions())
def test_given_a_point_when_its_neighbourhood_is_asked_then_the_cells_form_the_three_by_three_block_around_its_cell(case):
    point, precision = case
    height, width = _size(precision)
    south, _, west, _ = _bounds(encode(point, precision))
    offsets = set()
    for cell in neighbourhood(point, precision):
        cell_south, _, cell_west, _ = _bounds(cell)
        rows = round((cell_south - south) / height)
        columns = round(_wrap(cell_west - west + width / 2) / width - 0.5)  # wraps across the antimeridian
        offsets.add((rows, columns))
    assert offsets == {(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)}


@given(points_and_precisions(), st.floats(-0.4, 0.4), st.floats(-0.4, 0.4))
def test_given_a_place_within_four_tenths_of_a_cell_of_the_point_when_the_neighbourhood_is_asked_then_it_holds_that_place(
    case, north_share, east_share
):
    point, precision = case
    height, width = _size(precision)
    near = Point(point.lat + north_share * height, _wrap(point.lng + east_share * width))
    assert encode(near, precision) in neighbourhood(point, precision)


def test_given_a_point_just_inside_a_cell_edge_when_the_neighbourhood_is_asked_then_the_cell_across_the_edge_is_in_it():
    south, north, _, east = _bounds("wtw3s")
    just_inside = Point((south + north) / 2, east - 1e-9)
    across = encode(Point((south + north) / 2, east + 1e-9), 5)
    assert across != "wtw3s"
    assert encode(just_inside, 5) == "wtw3s"
    assert across in neighbourhood(just_inside, 5)


def test_given_a_point_by_the_antimeridian_when_the_neighbourhood_is_asked_then_it_wraps_to_the_other_side():
    point = Point(-16.5, 179.999)  # Fiji
    cells = neighbourhood(point, 6)
    assert encode(Point(-16.5, -179.999), 6) in cells
    assert len(set(cells)) == 9


# --- partition_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "partition"), [("wtw", "wtw"), ("wtw3s", "wtw"), ("wtw3sjq6q", "wtw")])
def test_given_a_cell_of_three_or_more_characters_when_partitioned_then_its_first_three_characters_are_the_partition(cell, partition):
    assert PARTITION_PRECISION == 3  # ADR 0024: a city and its surroundings
    assert partition_of(cell) == partition


@pytest.mark.parametrize("cell", ["", "w", "wt"])
def test_given_a_cell_shorter_than_the_partition_when_partitioned_then_it_is_refused(cell):
    with pytest.raises(ValueError, match="at least 3"):
        partition_of(cell)


# --- distance_m --------------------------------------------------------------------------------


def test_given_one_degree_of_latitude_when_measured_then_it_is_about_111_2_km():
    metres = distance_m(Point(30, 120), Point(31, 120))
    assert metres == pytest.approx(111_195, abs=1)
    assert metres == pytest.approx(MEAN_EARTH_RADIUS_M * math.pi / 180, rel=1e-9)


def test_given_one_degree_of_longitude_at_sixty_degrees_north_when_measured_then_it_is_about_half_a_degree_at_the_equator():
    assert distance_m(Point(60, 10), Point(60, 11)) == pytest.approx(55_597, abs=2)
    assert distance_m(Point(0, 10), Point(0, 11)) == pytest.approx(111_195, abs=1)


def test_given_beijing_and_shanghai_when_measured_then_they_are_about_1067_km_apart():
    beijing, shanghai = Point(39.9042, 116.4074), Point(31.2304, 121.4737)
    assert distance_m(beijing, shanghai) == pytest.approx(1_067_000, abs=3_000)


def test_given_antipodes_when_measured_then_the_distance_is_half_the_circumference():
    assert distance_m(Point(0, 0), Point(0, 180)) == pytest.approx(math.pi * MEAN_EARTH_RADIUS_M, rel=1e-9)


def test_given_the_same_point_twice_when_measured_then_the_distance_is_zero():
    assert distance_m(YANCHENG, YANCHENG) == 0


def test_given_two_points_when_measured_then_the_result_is_a_float_in_metres():
    assert isinstance(distance_m(Point(30, 120), Point(30.001, 120)), float)
    assert distance_m(Point(30, 120), Point(30.001, 120)) == pytest.approx(111.195, abs=0.01)


@given(
    st.floats(-89, 89, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
    st.floats(-89, 89, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
)
def test_given_any_two_points_when_measured_then_it_agrees_with_an_independent_haversine_both_ways(lat1, lng1, lat2, lng2):
    a, b = Point(lat1, lng1), Point(lat2, lng2)
    expected = _haversine_m(a, b)
    assert distance_m(a, b) == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert distance_m(b, a) == pytest.approx(expected, rel=1e-9, abs=1e-6)
