import math
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib import config
from chalicelib.domain import dispatch
from chalicelib.domain.dispatch import Candidate, DispatchRules, Truck
from chalicelib.domain.geo import Point
from chalicelib.errors import Conflict, NoTruckAvailable

CONFIG = config.load("rescue")
RULES = DispatchRules.model_validate(CONFIG)
CST = timezone(timedelta(hours=8))
PICKUP = Point(33.3801, 120.1502)
METRES_PER_DEGREE_LAT = 6_371_008.8 * math.pi / 180


def _rules(**changes):
    """rescue.json with some of its camelCase keys changed."""
    return DispatchRules.model_validate({**CONFIG, **changes})


def _north(metres: float, lng_offset: float = 0.0) -> Point:
    return Point(PICKUP.lat + metres / METRES_PER_DEGREE_LAT, PICKUP.lng + lng_offset)


def _candidates(*truck_ids: str) -> list[Candidate]:
    return [Candidate(truck_id, 1_000 * (n + 1)) for n, truck_id in enumerate(truck_ids)]


# --- the rules ---------------------------------------------------------------------------------


def test_given_rescue_json_when_loaded_then_the_rules_read_its_camel_case_values():
    assert RULES == DispatchRules(
        candidates=8,
        max_offers=5,
        search_precisions=[6, 5, 4],
        standby_per_km2=0.1,
        road_factor=1.4,
        average_speed_kmh=30,
        dispatch_minutes=3,
        arrival_grace_minutes=15,
    )


def test_given_rescue_json_when_loaded_then_its_version_and_note_are_ignored_not_refused():
    assert CONFIG["version"] and CONFIG["note"]
    assert not hasattr(RULES, "version")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("maxOffers", 0),
        ("maxOffers", 21),
        ("candidates", 0),
        ("candidates", 51),
        ("searchPrecisions", []),
        ("roadFactor", 0.9),
        ("roadFactor", 3.5),
        ("averageSpeedKmh", 0),
        ("averageSpeedKmh", -30),
        ("averageSpeedKmh", 121),
        ("dispatchMinutes", -1),
        ("dispatchMinutes", 61),
        ("arrivalGraceMinutes", -1),
        ("arrivalGraceMinutes", 241),
        ("maxOffers", "many"),
    ],
)
def test_given_a_bad_config_value_when_the_rules_are_built_then_they_are_refused_naming_the_field(key, value):
    with pytest.raises(ValidationError) as caught:
        _rules(**{key: value})
    assert [error["loc"][0] for error in caught.value.errors()] == [key]


@pytest.mark.parametrize(
    "key", ["candidates", "maxOffers", "searchPrecisions", "roadFactor", "averageSpeedKmh", "dispatchMinutes", "arrivalGraceMinutes"]
)
def test_given_a_config_without_a_rule_when_the_rules_are_built_then_they_are_refused(key):
    with pytest.raises(ValidationError):
        DispatchRules.model_validate({k: v for k, v in CONFIG.items() if k != key})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("maxOffers", 1),
        ("maxOffers", 20),
        ("roadFactor", 1),
        ("roadFactor", 3),
        ("dispatchMinutes", 0),
        ("averageSpeedKmh", 120),
        ("candidates", 50),
    ],
)
def test_given_a_value_on_the_edge_of_its_range_when_the_rules_are_built_then_it_is_accepted(key, value):
    assert _rules(**{key: value}).model_dump(by_alias=True)[key] == value


@pytest.mark.parametrize("precisions", [[3], [6, 5, 4, 3], [10], [0]])
def test_given_a_search_precision_outside_four_to_nine_when_the_rules_are_built_then_they_are_refused(precisions):
    with pytest.raises(ValidationError):
        _rules(searchPrecisions=precisions)


# --- nearest -----------------------------------------------------------------------------------


def test_given_trucks_at_different_distances_when_the_nearest_are_asked_then_they_come_nearest_first_with_metres():
    trucks = [Truck("T-far", _north(3_000)), Truck("T-near", _north(500)), Truck("T-mid", _north(1_200))]
    chosen = dispatch.nearest(PICKUP, trucks, limit=8)
    assert [c.truck_id for c in chosen] == ["T-near", "T-mid", "T-far"]
    assert [c.distance_m for c in chosen] == [500, 1_200, 3_000]
    assert all(isinstance(c.distance_m, int) for c in chosen)


def test_given_two_trucks_equally_far_when_the_nearest_are_asked_then_the_tie_goes_by_truck_id_whatever_the_input_order():
    east, west = Point(PICKUP.lat, PICKUP.lng + 0.01), Point(PICKUP.lat, PICKUP.lng - 0.01)
    one = dispatch.nearest(PICKUP, [Truck("T-b", east), Truck("T-a", west), Truck("T-c", _north(5_000))], limit=8)
    other = dispatch.nearest(PICKUP, [Truck("T-c", _north(5_000)), Truck("T-a", east), Truck("T-b", west)], limit=8)
    assert [c.truck_id for c in one] == [c.truck_id for c in other] == ["T-a", "T-b", "T-c"]
    assert one[0].distance_m == one[1].distance_m


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_given_more_trucks_than_the_limit_when_the_nearest_are_asked_then_only_the_limit_nearest_come(limit):
    trucks = [Truck(f"T-{n}", _north(100 * n)) for n in range(10, 0, -1)]
    chosen = dispatch.nearest(PICKUP, trucks, limit)
    assert [c.truck_id for c in chosen] == [f"T-{n}" for n in range(1, limit + 1)]


def test_given_fewer_trucks_than_the_limit_when_the_nearest_are_asked_then_all_come():
    assert len(dispatch.nearest(PICKUP, [Truck("T-1", _north(100)), Truck("T-2", _north(200))], limit=8)) == 2


def test_given_no_truck_when_the_nearest_are_asked_then_none_come():
    assert dispatch.nearest(PICKUP, [], limit=8) == []


def test_given_the_same_truck_found_twice_when_the_nearest_are_asked_then_it_comes_once_at_its_nearest_distance():
    trucks = [Truck("T-1", _north(2_000)), Truck("T-2", _north(1_000)), Truck("T-1", _north(300)), Truck("T-2", _north(1_000))]
    chosen = dispatch.nearest(PICKUP, trucks, limit=8)
    assert chosen == [Candidate("T-1", 300), Candidate("T-2", 1_000)]


def test_given_duplicates_when_the_nearest_are_asked_with_a_limit_then_the_limit_counts_distinct_trucks():
    trucks = [Truck("T-1", _north(100)), Truck("T-1", _north(100)), Truck("T-1", _north(150)), Truck("T-2", _north(900))]
    assert [c.truck_id for c in dispatch.nearest(PICKUP, trucks, limit=2)] == ["T-1", "T-2"]


@given(st.lists(st.tuples(st.sampled_from("ABCDEFGH"), st.integers(0, 20_000)), max_size=20), st.integers(1, 10))
def test_given_any_trucks_when_the_nearest_are_asked_then_distinct_ordered_and_within_the_limit(found, limit):
    trucks = [Truck(f"T-{letter}", _north(metres)) for letter, metres in found]
    chosen = dispatch.nearest(PICKUP, trucks, limit)
    ids = [c.truck_id for c in chosen]
    assert len(ids) == len(set(ids)) == min(limit, len({t.truck_id for t in trucks}))
    assert [(c.distance_m, c.truck_id) for c in chosen] == sorted((c.distance_m, c.truck_id) for c in chosen)
    closest = {}
    for letter, metres in found:
        closest[f"T-{letter}"] = min(closest.get(f"T-{letter}", metres), metres)
    assert all(abs(c.distance_m - closest[c.truck_id]) <= 1 for c in chosen)


def test_given_a_limit_of_zero_when_the_nearest_are_asked_then_none_come():
    assert dispatch.nearest(PICKUP, [Truck("T-1", _north(100))], limit=0) == []


def test_given_a_candidate_when_shaped_for_storage_then_its_keys_are_camel_case():
    assert Candidate("T-1", 1_234).as_dict() == {"truckId": "T-1", "distanceM": 1_234}


# --- next_candidate ----------------------------------------------------------------------------


def test_given_nobody_asked_yet_when_the_next_candidate_is_asked_then_it_is_the_first():
    assert dispatch.next_candidate(_candidates("T-1", "T-2"), [], set(), RULES) == Candidate("T-1", 1_000)


def test_given_trucks_already_asked_when_the_next_candidate_is_asked_then_they_are_skipped():
    assert dispatch.next_candidate(_candidates("T-1", "T-2", "T-3"), ["T-1", "T-2"], set(), RULES).truck_id == "T-3"


def test_given_a_later_truck_asked_when_the_next_candidate_is_asked_then_the_nearest_unasked_comes_first():
    assert dispatch.next_candidate(_candidates("T-1", "T-2", "T-3"), ["T-2"], set(), RULES).truck_id == "T-1"


def test_given_unavailable_trucks_when_the_next_candidate_is_asked_then_they_are_skipped():
    chosen = dispatch.next_candidate(_candidates("T-1", "T-2", "T-3"), ["T-1"], {"T-2"}, RULES)
    assert chosen == Candidate("T-3", 3_000)


def test_given_every_candidate_asked_or_unavailable_when_the_next_candidate_is_asked_then_no_truck_is_available():
    with pytest.raises(NoTruckAvailable, match="no standby tow truck") as caught:
        dispatch.next_candidate(_candidates("T-1", "T-2", "T-3"), ["T-1"], {"T-2", "T-3"}, RULES)
    assert caught.value.field == "truckId"
    assert caught.value.code == "NoTruckAvailable"


def test_given_no_candidates_when_the_next_candidate_is_asked_then_no_truck_is_available():
    with pytest.raises(NoTruckAvailable):
        dispatch.next_candidate([], [], set(), RULES)


def test_given_max_offers_made_when_the_next_candidate_is_asked_then_no_truck_is_available_though_some_remain():
    asked = [f"T-{n}" for n in range(1, RULES.max_offers + 1)]
    candidates = _candidates(*asked, "T-spare")
    with pytest.raises(NoTruckAvailable, match=f"{RULES.max_offers} trucks were offered"):
        dispatch.next_candidate(candidates, asked, set(), RULES)


def test_given_one_offer_short_of_max_offers_when_the_next_candidate_is_asked_then_one_more_is_offered():
    asked = [f"T-{n}" for n in range(1, RULES.max_offers)]
    assert dispatch.next_candidate(_candidates(*asked, "T-spare"), asked, set(), RULES).truck_id == "T-spare"


def test_given_a_max_offers_of_one_when_one_offer_was_made_then_no_truck_is_available():
    with pytest.raises(NoTruckAvailable):
        dispatch.next_candidate(_candidates("T-1", "T-2"), ["T-1"], set(), _rules(maxOffers=1))


# --- eta, road distance, deadline --------------------------------------------------------------


@pytest.mark.parametrize(
    ("road_m", "minutes"),
    [
        (0, 3),  # no drive: the dispatch minutes only
        (1, 4),  # any drive at all is a whole minute
        (500, 4),  # 1 minute at 30 km/h
        (501, 5),
        (10_000, 23),  # 20 minutes
        (10_001, 24),
        (14_400, 32),  # 28.8 minutes
        (42_000, 87),  # 84 minutes
    ],
)
def test_given_a_road_distance_when_the_eta_is_asked_then_it_is_dispatch_minutes_plus_whole_driving_minutes(road_m, minutes):
    assert dispatch.eta_minutes(road_m, RULES) == minutes


def test_given_other_rules_when_the_eta_is_asked_then_speed_and_dispatch_minutes_apply():
    assert dispatch.eta_minutes(12_000, _rules(averageSpeedKmh=60, dispatchMinutes=0)) == 12
    assert dispatch.eta_minutes(12_000, _rules(averageSpeedKmh=45, dispatchMinutes=10)) == 26


@pytest.mark.parametrize(("road_m", "speed", "minutes"), [(15_500, 30, 31), (31_000, 60, 31), (23_250, 45, 31), (62_000, 30, 124)])
def test_given_a_distance_driven_in_a_whole_number_of_minutes_when_the_eta_is_asked_then_no_extra_minute_is_added(road_m, speed, minutes):
    assert dispatch.eta_minutes(road_m, _rules(averageSpeedKmh=speed, dispatchMinutes=0)) == minutes


@given(st.integers(0, 300_000), st.sampled_from([20, 25, 30, 40, 50, 60]), st.integers(0, 60))
def test_given_any_road_distance_when_the_eta_is_asked_then_it_matches_exact_arithmetic(road_m, speed, dispatch_min):
    exact = dispatch_min + math.ceil(Fraction(road_m, 1000) / speed * 60)
    eta = dispatch.eta_minutes(road_m, _rules(averageSpeedKmh=speed, dispatchMinutes=dispatch_min))
    assert isinstance(eta, int)
    assert eta == exact


@pytest.mark.parametrize(("straight_m", "road_m"), [(0, 0), (1_000, 1_400), (1_000.4, 1_401), (2_345.6, 3_284), (10, 14)])
def test_given_a_straight_line_distance_when_the_road_distance_is_asked_then_it_is_the_road_factor_times_it_in_whole_metres(
    straight_m, road_m
):
    road = dispatch.road_distance_m(straight_m, RULES)
    assert road == road_m
    assert isinstance(road, int)


def test_given_a_road_factor_of_one_when_the_road_distance_is_asked_then_it_is_the_straight_line():
    assert dispatch.road_distance_m(5_432.2, _rules(roadFactor=1)) == 5_432


def test_given_an_acceptance_and_an_eta_when_the_arrival_deadline_is_asked_then_the_grace_minutes_are_added():
    accepted = datetime(2026, 3, 1, 8, 0, tzinfo=CST)
    assert dispatch.arrival_deadline(accepted, 23, RULES) == datetime(2026, 3, 1, 8, 38, tzinfo=CST)
    assert dispatch.arrival_deadline(accepted, 23, _rules(arrivalGraceMinutes=0)) == datetime(2026, 3, 1, 8, 23, tzinfo=CST)


def test_given_an_acceptance_late_in_the_day_when_the_arrival_deadline_is_asked_then_it_rolls_into_the_next_day_in_the_same_zone():
    deadline = dispatch.arrival_deadline(datetime(2026, 3, 1, 23, 50, tzinfo=UTC), 30, RULES)
    assert deadline == datetime(2026, 3, 2, 0, 35, tzinfo=UTC)
    assert deadline.tzinfo is UTC


# --- ensure_cancellable ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [*sorted(dispatch.OPEN), "ESCALATED"])
def test_given_an_open_or_escalated_order_when_cancelling_then_nothing_is_raised(status):
    assert dispatch.ensure_cancellable(status) is None


@pytest.mark.parametrize("status", ["COMPLETED", "CANCELLED", "FAILED", "UNKNOWN"])
def test_given_a_finished_order_when_cancelling_then_it_is_a_conflict_on_the_status(status):
    with pytest.raises(Conflict, match=status) as caught:
        dispatch.ensure_cancellable(status)
    assert caught.value.field == "status"
    assert caught.value.details == {"status": status}
    assert caught.value.status == 409


def test_given_the_order_statuses_when_grouped_then_open_and_closed_split_them_and_unassigned_is_open():
    assert dispatch.OPEN == {"SEARCHING", "OFFERED", "ASSIGNED", "ARRIVED"}
    assert set(dispatch.ORDER_STATUSES) - dispatch.OPEN == {"COMPLETED", "ESCALATED", "CANCELLED", "FAILED"}
    assert dispatch.UNASSIGNED <= dispatch.OPEN


# --- dispatch rounds -----------------------------------------------------------------------------


def test_given_an_order_when_its_runs_are_named_then_the_first_round_keeps_the_plain_name_and_later_ones_are_suffixed():
    assert dispatch.run_name("YC2611250000ABCD", 1, 1) == "rescue-YC2611250000ABCD-1"
    assert dispatch.run_name("YC2611250000ABCD", 2, 3) == "rescue-YC2611250000ABCD-2-r3"
    names = {dispatch.run_name("YC1", seq, r) for seq in (1, 2) for r in (1, 2, 3)}
    assert len(names) == 6  # never the same run for two orders or two rounds


@pytest.mark.parametrize("status", sorted(set(dispatch.ORDER_STATUSES) - {"ESCALATED"}))
def test_given_an_order_not_escalated_when_dispatched_again_then_it_is_a_conflict(status):
    with pytest.raises(Conflict) as caught:
        dispatch.ensure_escalated(status)
    assert caught.value.field == "status"
    assert dispatch.ensure_escalated("ESCALATED") is None


def test_given_a_dense_fleet_then_the_search_starts_at_the_geohash_6_block_not_the_geohash_5_one():
    """13 standby trucks per km² in Yancheng (the bench's 10,000): a geohash-6 block holds about 70,
    a geohash-5 block some 2,300 (ADR 0024)."""
    from chalicelib.domain import geo

    rules = RULES.model_copy(update={"standby_per_km2": 13.0})
    assert dispatch.first_precision(geo.Point(33.35, 120.15), rules) == 6
