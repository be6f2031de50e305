"""The 交强险 medical limit and the rescue fund's advance (`domain/medical_split.py`)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.config import load
from chalicelib.domain.insurance import compulsory_limits
from chalicelib.domain.medical_split import CoveredVehicle, FundReason, apportion, split_medical

ACCIDENT_DAY = date(2026, 10, 1)
LIABLE = compulsory_limits("FULL", load("insurance"), ACCIDENT_DAY).medical
NOT_LIABLE = compulsory_limits("NONE", load("insurance"), ACCIDENT_DAY).medical


def split(bills, *vehicles):
    return split_medical(bills, vehicles, liable_limit=LIABLE, not_liable_limit=NOT_LIABLE)


def car(vehicle_id="LIU", *, insured=True, liable=True, share=100, hit_and_run=False, excludes=()):
    return CoveredVehicle(vehicle_id=vehicle_id, insured=insured, liable=liable, share_percent=share, hit_and_run=hit_and_run,
                          excludes=frozenset(excludes))


def test_the_limits_come_from_the_configuration():
    assert (LIABLE, NOT_LIABLE) == (1_800_000, 180_000)  # ¥18,000 and ¥1,800 since 2020-09-19


def test_given_one_injured_and_a_liable_insured_vehicle_when_the_bill_is_within_the_limit_then_the_insurer_pays_it_all():
    result = split({"SUN": 500_000}, car())
    assert result.insurer == {("LIU", "SUN"): 500_000}
    assert result.fund == {"SUN": 0}
    assert result.reasons == {"SUN": frozenset()}
    assert result.recover == {}


def test_given_a_vehicle_not_liable_then_its_insurer_pays_up_to_the_not_liable_limit_and_the_fund_the_rest():
    # a pedestrian fully at fault: the car bears no liability, so nothing is recovered from its side
    result = split({"SUN": 300_000}, car(liable=False, share=0))
    assert result.insurer == {("LIU", "SUN"): 180_000}
    assert result.fund == {"SUN": 120_000}
    assert result.reasons == {"SUN": frozenset({FundReason.EXCEEDS_LIMIT})}
    assert result.recover == {}


def test_given_two_injured_then_they_share_one_limit_pro_rata_to_their_bills():
    result = split({"SUN": 1_500_000, "ZHAO": 900_000}, car())
    assert result.insurer == {("LIU", "SUN"): 1_125_000, ("LIU", "ZHAO"): 675_000}
    assert sum(result.insurer.values()) == LIABLE
    assert result.fund == {"SUN": 375_000, "ZHAO": 225_000}
    assert result.reasons["SUN"] == result.reasons["ZHAO"] == frozenset({FundReason.EXCEEDS_LIMIT})
    assert result.recover == {("LIU", "SUN"): 375_000, ("LIU", "ZHAO"): 225_000}


def test_given_an_uninsured_vehicle_then_the_fund_advances_everything_and_recovers_it_from_that_vehicle():
    result = split({"SUN": 400_000}, car(insured=False))
    assert result.insurer == {}
    assert result.fund == {"SUN": 400_000}
    assert result.reasons == {"SUN": frozenset({FundReason.UNINSURED})}
    assert result.recover == {("LIU", "SUN"): 400_000}


def test_given_a_hit_and_run_then_the_fund_advances_everything_for_that_reason():
    result = split({"SUN": 400_000}, car("UNKNOWN", insured=False, hit_and_run=True))
    assert result.fund == {"SUN": 400_000}
    assert result.reasons == {"SUN": frozenset({FundReason.HIT_AND_RUN})}
    assert result.recover == {("UNKNOWN", "SUN"): 400_000}


def test_given_bills_over_the_limit_then_the_insurer_pays_the_limit_and_the_fund_the_rest():
    result = split({"SUN": 2_500_000}, car())
    assert result.insurer == {("LIU", "SUN"): LIABLE}
    assert result.fund == {"SUN": 700_000}
    assert result.reasons == {"SUN": frozenset({FundReason.EXCEEDS_LIMIT})}


def test_given_two_liable_vehicles_over_both_limits_then_the_fund_recovers_by_liability_share():
    result = split({"SUN": 4_000_000}, car("LIU", share=70), car("QIAN", share=30))
    assert result.insurer == {("LIU", "SUN"): LIABLE, ("QIAN", "SUN"): LIABLE}
    assert result.fund == {"SUN": 400_000}
    assert result.recover == {("LIU", "SUN"): 280_000, ("QIAN", "SUN"): 120_000}


def test_given_two_vehicles_within_their_limits_then_they_pay_in_proportion_to_their_limits():
    result = split({"SUN": 990_000}, car("LIU"), car("QIAN", liable=False, share=0))
    assert result.insurer == {("LIU", "SUN"): 900_000, ("QIAN", "SUN"): 90_000}
    assert result.fund == {"SUN": 0}


def test_given_an_insured_and_an_uninsured_vehicle_over_the_limit_then_both_reasons_are_given():
    result = split({"SUN": 2_000_000}, car("LIU", share=50), car("QIAN", insured=False, share=50))
    assert result.fund == {"SUN": 200_000}
    assert result.reasons == {"SUN": frozenset({FundReason.EXCEEDS_LIMIT, FundReason.UNINSURED})}


def test_given_two_injured_drivers_in_two_cars_then_each_car_pays_only_for_the_other_cars_driver():
    # 交强险 never pays its own vehicle's people: LIU's car covers SUN, SUN's car covers LIU
    result = split({"LIU": 100_000, "SUN": 500_000},
                   car("LIU", share=100, excludes={"LIU"}), car("SUN", liable=False, share=0, excludes={"SUN"}))
    assert result.insurer == {("LIU", "SUN"): 500_000, ("SUN", "LIU"): 100_000}
    assert result.fund == {"LIU": 0, "SUN": 0}


def test_given_a_shared_limit_then_it_is_shared_only_by_the_people_the_vehicle_covers():
    # QIAN's car (not liable, ¥1,800) covers SUN and ZHAO but not its own driver QIAN
    result = split({"QIAN": 1_000_000, "SUN": 200_000, "ZHAO": 100_000}, car("QIAN", liable=False, share=0, excludes={"QIAN"}))
    assert result.insurer == {("QIAN", "SUN"): 120_000, ("QIAN", "ZHAO"): 60_000}
    assert result.fund == {"QIAN": 0, "SUN": 80_000, "ZHAO": 40_000}
    assert result.unclaimed == {"QIAN": 1_000_000}  # no vehicle answers for QIAN, and no reason of the fund applies
    assert result.reasons == {"QIAN": frozenset(), "SUN": frozenset({FundReason.EXCEEDS_LIMIT}),
                              "ZHAO": frozenset({FundReason.EXCEEDS_LIMIT})}


def test_given_the_other_car_fled_then_only_the_people_it_hit_are_hit_and_run_cases():
    result = split({"LIU": 300_000, "SUN": 200_000},
                   car("LIU", share=0, liable=False, excludes={"LIU"}), car("X", insured=False, hit_and_run=True, excludes={"X"}))
    assert result.insurer == {("LIU", "SUN"): 180_000}
    assert result.fund == {"LIU": 300_000, "SUN": 20_000}
    assert result.reasons == {"LIU": frozenset({FundReason.HIT_AND_RUN}),
                              "SUN": frozenset({FundReason.HIT_AND_RUN, FundReason.EXCEEDS_LIMIT})}


def test_the_largest_remainder_goes_to_the_lowest_id_on_a_tie():
    assert apportion(2, {"C": 1, "A": 1, "B": 1}) == {"A": 1, "B": 1, "C": 0}
    assert apportion(10, {"A": 1, "B": 2}) == {"A": 3, "B": 7}  # 3.33 / 6.67: B has the larger remainder


@pytest.mark.parametrize(
    ("bills", "vehicles"),
    [
        ({"SUN": -1}, [car()]),
        ({"SUN": 1}, []),
        ({"SUN": 1}, [car(), car()]),
        ({"SUN": 1}, [car(share=101)]),
    ],
)
def test_bad_input_is_a_programming_error(bills, vehicles):
    with pytest.raises(ValueError):
        split(bills, *vehicles)


# --- properties ----------------------------------------------------------------------------

people = st.dictionaries(st.sampled_from(["P1", "P2", "P3", "P4", "P5"]), st.integers(0, 5_000_000), min_size=1)
vehicle = st.builds(
    CoveredVehicle,
    vehicle_id=st.sampled_from(["V1", "V2", "V3", "V4"]),
    insured=st.booleans(),
    liable=st.booleans(),
    share_percent=st.integers(0, 100),
    hit_and_run=st.booleans(),
    excludes=st.frozensets(st.sampled_from(["P1", "P2", "P3", "P4", "P5"]), max_size=3),
)
vehicles = st.lists(vehicle, min_size=1, max_size=4, unique_by=lambda v: v.vehicle_id)
limits = st.tuples(st.integers(0, 3_000_000), st.integers(0, 300_000))


@given(people, vehicles, limits)
def test_no_fen_is_lost_or_created_and_no_person_gets_more_than_their_bill(bills, cars, limit_pair):
    liable_limit, not_liable_limit = limit_pair
    result = split_medical(bills, cars, liable_limit=liable_limit, not_liable_limit=not_liable_limit)
    for person, bill in bills.items():
        insured_part = sum(amount for (_, who), amount in result.insurer.items() if who == person)
        assert insured_part + result.fund[person] + result.unclaimed.get(person, 0) == bill
        assert result.fund[person] >= 0 and all(amount >= 0 for amount in result.insurer.values())
        assert result.unclaimed.get(person, 0) >= 0
        assert bool(result.reasons[person]) == (result.fund[person] > 0)
        recovered = sum(amount for (_, who), amount in result.recover.items() if who == person)
        assert recovered == (result.fund[person] if any(c.share_percent for c in cars) else 0)
    assert sum(result.insurer.values()) + sum(result.fund.values()) + sum(result.unclaimed.values()) == sum(bills.values())


@given(people, vehicles, limits)
def test_a_vehicle_pays_nothing_for_the_people_it_excludes_and_the_others_share_its_limit(bills, cars, limit_pair):
    liable_limit, not_liable_limit = limit_pair
    result = split_medical(bills, cars, liable_limit=liable_limit, not_liable_limit=not_liable_limit)
    for car_ in cars:
        assert all(result.insurer.get((car_.vehicle_id, person), 0) == 0 for person in car_.excludes)
    for person in bills:
        covering = [c for c in cars if person not in c.excludes]
        if not covering:  # nobody answers for them: neither an insurer nor the fund
            assert result.fund[person] == 0 and result.unclaimed.get(person, 0) == bills[person]


@given(people, vehicles, limits)
def test_no_vehicle_pays_more_than_its_limit(bills, cars, limit_pair):
    liable_limit, not_liable_limit = limit_pair
    result = split_medical(bills, cars, liable_limit=liable_limit, not_liable_limit=not_liable_limit)
    for car_ in cars:
        paid = sum(amount for (vehicle_id, _), amount in result.insurer.items() if vehicle_id == car_.vehicle_id)
        assert paid <= (liable_limit if car_.liable else not_liable_limit)
        assert car_.insured or paid == 0


@given(people, vehicles, limits)
def test_the_same_accident_in_any_order_gives_the_same_split(bills, cars, limit_pair):
    liable_limit, not_liable_limit = limit_pair
    once = split_medical(bills, cars, liable_limit=liable_limit, not_liable_limit=not_liable_limit)
    reordered = split_medical(dict(reversed(bills.items())), cars[::-1], liable_limit=liable_limit, not_liable_limit=not_liable_limit)
    assert once == reordered
