"""The nearest standby trucks in one to three Queries, exactly as a brute-force search finds them."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import botocore.client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import dispatch, geo
from chalicelib.services.rescue.order import rules as dispatch_rules
from chalicelib.store import fleet, standby_density, ttl_cache
from chalicelib.store.models import TowTruckItem

# Random fleets stand around Xuzhou, far beyond the range of the seeded Yancheng trucks.
CITY = ((34.10, 34.40), (117.00, 117.40))
YANCHENG = ((33.25, 33.50), (120.00, 120.30))
MAX_QUERIES = 3


@contextmanager
def queries_made() -> Iterator[list[tuple[str, int]]]:
    """The DynamoDB Queries made while the block runs: their index names and the items each returned."""
    made: list[tuple[str, int]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):  # type: ignore[no-untyped-def]
        reply = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb" and operation == "Query":
            made.append((params.get("IndexName", ""), int(reply.get("Count", 0))))
        return reply

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield made
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def _write(points: list[geo.Point], prefix: str) -> list[TowTruckItem]:
    trucks = [fleet.new_truck(f"{prefix}{i:05d}", plate=f"苏C{i:05d}", company="测试救援", status=dispatch.STANDBY,
                              lat=point.lat, lng=point.lng) for i, point in enumerate(points)]
    with TowTruckItem.batch_write() as batch:
        for truck in trucks:
            batch.save(truck)
    return trucks


def _delete(trucks: list[TowTruckItem]) -> None:
    with TowTruckItem.batch_write() as batch:
        for truck in trucks:
            batch.delete(truck)


def brute_force(pickup: geo.Point, points: list[geo.Point], prefix: str, rules: dispatch.DispatchRules) -> list[dispatch.Candidate]:
    """Every truck within range (the pickup's 3x3 block at the coarsest precision), nearest first."""
    block = set(geo.neighbourhood(pickup, rules.search_precisions[-1]))
    in_range = [dispatch.Truck(f"{prefix}{i:05d}", point) for i, point in enumerate(points)
                if geo.encode(point, rules.search_precisions[-1]) in block]
    return dispatch.nearest(pickup, in_range, rules.candidates)


def _observe(pickup: geo.Point, observed: float | str | None) -> None:
    """What the last search near the pickup observed: nothing, an old figure, or this density now."""
    ttl_cache.clear_all()
    cell = geo.encode(pickup, standby_density.DENSITY_PRECISION)
    standby_density.StandbyDensityItem(*standby_density._key(cell), per_km2=0, observed_at="").delete()
    if observed == "stale":
        standby_density.record(cell, 1000.0, datetime.now(UTC) - standby_density.STALE_AFTER - timedelta(minutes=1))
    elif isinstance(observed, float):
        standby_density.record(cell, observed, datetime.now(UTC))
    ttl_cache.clear_all()


def _point(box: tuple[tuple[float, float], tuple[float, float]]) -> st.SearchStrategy[geo.Point]:
    (south, north), (west, east) = box
    return st.builds(geo.Point, st.floats(south, north), st.floats(west, east))


@st.composite
def fleets(draw: st.DrawFn) -> list[geo.Point]:
    """Sparse (a handful), dense (hundreds) or clustered (a few tight groups) over the city."""
    shape = draw(st.sampled_from(["sparse", "dense", "clustered"]))
    if shape == "sparse":
        return draw(st.lists(_point(CITY), max_size=12))
    if shape == "dense":
        rng = random.Random(draw(st.integers(0, 2**32)))
        (south, north), (west, east) = CITY
        return [geo.Point(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(draw(st.integers(100, 250)))]
    centres = draw(st.lists(_point(CITY), min_size=1, max_size=3))
    rng = random.Random(draw(st.integers(0, 2**32)))
    return [geo.Point(c.lat + rng.gauss(0, 0.005), c.lng + rng.gauss(0, 0.005)) for c in centres for _ in range(draw(st.integers(1, 40)))]


@st.composite
def pickups(draw: st.DrawFn) -> geo.Point:
    """Anywhere in the city, beyond its edge, or on the border of a cell of a searched precision."""
    where = draw(st.sampled_from(["inside", "edge", "border"]))
    if where == "inside":
        return draw(_point(CITY))
    if where == "edge":
        (south, north), (west, east) = CITY
        return draw(_point(((south - 0.3, north + 0.3), (west - 0.3, east + 0.3))))
    box = geo.cell_box(geo.encode(draw(_point(CITY)), draw(st.sampled_from([4, 5, 6]))))
    return geo.Point(draw(st.sampled_from([box.south, box.north])), draw(st.floats(box.west, box.east)))


@pytest.mark.usefixtures("aws")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fleet_points=fleets(), pickup=pickups(), density=st.sampled_from([None, 0.01, 0.1, 1.0, 30.0]),
       observed=st.sampled_from([None, "stale", 0.0, 0.01, 1.0, 30.0, 1000.0]))
def test_given_a_random_fleet_when_the_nearest_are_searched_then_they_are_what_a_brute_force_search_finds(
        fleet_points, pickup, density, observed):
    """Configured densities right, wrong or missing; observed ones absent, stale, right or wrong."""
    rules = dispatch_rules().model_copy(update={"standby_per_km2": density})
    _observe(pickup, observed)
    trucks = _write(fleet_points, "P")
    try:
        assert fleet.nearest_standby(pickup, rules) == brute_force(pickup, fleet_points, "P", rules)
    finally:
        _delete(trucks)


@pytest.mark.usefixtures("aws")
def test_given_no_truck_within_range_when_the_nearest_are_searched_then_nobody_is_found():
    far = geo.Point(40.0, 100.0)  # the Gobi: the seeded trucks are 1,800 km away
    assert fleet.nearest_standby(far, dispatch_rules()) == []


def _pickups(count: int) -> list[geo.Point]:
    rng = random.Random(17)
    (south, north), (west, east) = YANCHENG
    return [geo.Point(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(count)]


@pytest.mark.usefixtures("aws")
def test_given_the_49_seeded_trucks_when_the_nearest_are_searched_then_each_search_makes_at_most_three_queries():
    rules = dispatch_rules()
    for pickup in _pickups(40):
        with queries_made() as made:
            found = fleet.nearest_standby(pickup, rules)
        assert len(found) == rules.candidates
        assert len(made) <= MAX_QUERIES, (pickup, made)


@pytest.mark.usefixtures("aws")
def test_given_10000_standby_trucks_when_the_nearest_are_searched_then_each_search_makes_at_most_three_queries():
    rng = random.Random(2026)
    (south, north), (west, east) = YANCHENG
    points = [geo.Point(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(10_000)]
    _write(points, "D")
    area_km2 = geo.distance_m(geo.Point(south, west), geo.Point(north, west)) * geo.distance_m(
        geo.Point(south, west), geo.Point(south, east)) / 1e6
    rules = dispatch_rules().model_copy(update={"standby_per_km2": len(points) / area_km2})
    for pickup in _pickups(20):
        with queries_made() as made:
            found = fleet.nearest_standby(pickup, rules)
        assert len(found) == rules.candidates
        assert len(made) <= MAX_QUERIES, (pickup, made)

    # As shipped (0.1 per km² configured), the searches above having observed the real density.
    shipped, queries, items = dispatch_rules(), [], []
    for pickup in _pickups(40)[20:]:
        with queries_made() as made:
            assert len(fleet.nearest_standby(pickup, shipped)) == shipped.candidates
        queries.append(len(made))
        items.append(sum(count for _, count in made))
    assert _median(queries) <= 2, queries  # before (configured density only): 2, and the whole range as shipped
    assert _median(items) <= 25 * shipped.candidates, items  # a few times the candidates, of 10,049


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    return (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2


@pytest.mark.usefixtures("aws")
def test_given_the_49_seeded_trucks_as_shipped_when_searched_then_the_median_lookup_is_one_query():
    rules, queries = dispatch_rules(), []
    for pickup in _pickups(40):
        with queries_made() as made:
            assert len(fleet.nearest_standby(pickup, rules)) == rules.candidates
        queries.append(len(made))
    assert _median(queries) == 1, queries


@pytest.mark.usefixtures("aws")
def test_given_no_observed_density_when_searched_then_the_configured_one_is_used_and_what_was_observed_is_kept():
    pickup = _pickups(1)[0]
    cell = geo.encode(pickup, standby_density.DENSITY_PRECISION)
    assert standby_density.of(cell).per_km2 is None
    dense = dispatch_rules().model_copy(update={"standby_per_km2": 1000.0})  # wrong: starts at geohash 6
    with queries_made() as made:
        first = fleet.nearest_standby(pickup, dense)
    ttl_cache.clear_all()
    kept = standby_density.of(cell)
    assert kept.per_km2 is not None and 0 < kept.per_km2 < 1  # 49 trucks over the range read last
    with queries_made() as again:
        assert fleet.nearest_standby(pickup, dense) == first
    assert len(again) == 1 < len(made), (made, again)  # straight to the range the observed density asks for


@pytest.mark.usefixtures("aws")
def test_given_a_dense_fleet_when_the_nearest_are_searched_then_they_are_exact_and_few_trucks_are_read():
    """About 13 standby trucks per km² (the bench's 10,000 over Yancheng): a lookup reads a few
    times the candidates it returns, not the thousands a geohash-5 block holds (ADR 0024)."""
    rng = random.Random(26)
    (south, north), (west, east) = ((34.20, 34.30), (117.10, 117.20))  # Xuzhou, about 11 x 9 km
    area_km2 = geo.distance_m(geo.Point(south, west), geo.Point(north, west)) * geo.distance_m(
        geo.Point(south, west), geo.Point(south, east)) / 1e6
    points = [geo.Point(rng.uniform(south, north), rng.uniform(west, east)) for _ in range(round(13 * area_km2))]
    _write(points, "N")
    rules = dispatch_rules().model_copy(update={"standby_per_km2": len(points) / area_km2})
    read: list[int] = []
    for _ in range(15):  # pickups away from the fleet's edge, where the density is what it says
        pickup = geo.Point(rng.uniform(south + 0.02, north - 0.02), rng.uniform(west + 0.02, east - 0.02))
        with queries_made() as made:
            found = fleet.nearest_standby(pickup, rules)
        assert found == brute_force(pickup, points, "N", rules)
        read.append(sum(items for index, items in made if index == "gsi1"))
    assert sorted(read)[len(read) // 2] <= 16 * rules.candidates, read  # before: the whole fleet, ~1,300
