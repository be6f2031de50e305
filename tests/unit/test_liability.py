import pytest

from chalicelib import config
from chalicelib.domain.liability import (
    Catalogue,
    Liability,
    Scenario,
    catalogue,
    check_consistent,
    damage_shares,
    suggest,
)
from chalicelib.errors import ValidationFailed

F, P, E, S, N = Liability.FULL, Liability.PRIMARY, Liability.EQUAL, Liability.SECONDARY, Liability.NONE
GD_CODES = [
    "REAR_END",
    "LANE_CHANGE",
    "REVERSING",
    "ENTER_FROM_SIDE",
    "TURN_NOT_YIELD",
    "ROUNDABOUT_ENTRY",
    "CROSS_SOLID_LINE",
    "WRONG_WAY",
    "RIGHT_OVERTAKE",
    "OVERTAKE_TURNING",
    "RED_LIGHT",
    "U_TURN_PROHIBITED",
    "HIT_PARKED",
    "DOOR_OPENING",
    "PARKING_MANOEUVRE",
    "SINGLE_VEHICLE",
    "BOTH_AT_FAULT",
]
GD = catalogue(config.load("scenarios"))


def _refused(liabilities, party_ids, *words):
    with pytest.raises(ValidationFailed) as caught:
        check_consistent(liabilities, party_ids)
    assert caught.value.field == "liabilities"
    for word in words:
        assert word in caught.value.message
    return caught.value


# --- catalogue ---------------------------------------------------------------------------------


def test_given_no_province_when_catalogue_loaded_then_guangdong_with_every_listed_code_in_order():
    assert isinstance(GD, Catalogue)
    assert GD.province == "GD"
    assert GD.version == "GD-2026-1"
    assert [s.code for s in GD.scenarios] == GD_CODES


def test_given_the_catalogue_when_read_then_every_scenario_is_complete_and_in_chinese():
    for scenario in GD.scenarios:
        assert isinstance(scenario, Scenario)
        assert scenario.label and scenario.description and scenario.accident_form, scenario.code
        assert all("\u4e00" <= ch <= "\u9fff" for ch in scenario.label if ch.isalpha()), scenario.code
        assert scenario.suggested in ("AT_FAULT_FULL", "ALL_EQUAL"), scenario.code
        at_fault, other = scenario.collision_parts
        assert at_fault
        assert (other is None) == (scenario.code == "SINGLE_VEHICLE"), scenario.code
    assert GD.get("REAR_END").label == "追尾"
    assert GD.get("REAR_END").description == "追撞前车尾部的"
    assert GD.get("REAR_END").collision_parts == ("车辆前部", "车辆尾部")
    assert GD.get("BOTH_AT_FAULT").label == "双方均有过错"
    assert GD.get("BOTH_AT_FAULT").suggested == "ALL_EQUAL"
    assert [s.code for s in GD.scenarios if s.suggested == "ALL_EQUAL"] == ["BOTH_AT_FAULT"]


def test_given_an_unknown_code_when_looked_up_then_refused_on_scenario():
    with pytest.raises(ValidationFailed) as caught:
        GD.get("TELEPORTED")
    assert caught.value.field == "scenario"
    assert caught.value.message == "unknown scenario; see GET /scenarios"


def test_given_an_unknown_province_when_catalogue_loaded_then_refused_on_province():
    with pytest.raises(ValidationFailed) as caught:
        catalogue(config.load("scenarios"), "XX")
    assert caught.value.field == "province"


def test_given_the_province_explicitly_when_catalogue_loaded_then_same_as_default():
    assert catalogue(config.load("scenarios"), "GD") == GD


def test_given_a_bad_suggestion_in_config_when_loaded_then_a_programming_error():
    broken = {
        "default": "GD",
        "provinces": {
            "GD": {
                "version": "x",
                "scenarios": [
                    {
                        "code": "X",
                        "label": "某",
                        "description": "某",
                        "suggested": "HALF",
                        "accidentForm": "刮擦",
                        "collisionParts": {"atFault": "车辆前部", "other": None},
                    }
                ],
            }
        },
    }
    with pytest.raises(ValueError, match="suggested"):
        catalogue(broken)


def test_given_the_damage_shares_block_when_read_then_every_liability_has_a_percent():
    shares = config.load("scenarios")["damageShares"]
    assert shares["version"]
    assert {k: shares[k.value] for k in Liability} == {F: 100, P: 80, E: 60, S: 40, N: 10}


def test_given_each_liability_when_labelled_then_the_chinese_term():
    assert [x.label for x in Liability] == ["全部责任", "主要责任", "同等责任", "次要责任", "无责任"]
    assert Liability("FULL") is F and F == "FULL"


# --- suggest -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [s for s in GD.scenarios if not s.single_vehicle], ids=lambda s: s.code)
def test_given_each_collision_scenario_when_suggested_then_liabilities_follow_the_catalogue(scenario):
    parties = ["p1", "p2"]
    result = suggest(scenario, "p2", parties)
    if scenario.code == "BOTH_AT_FAULT":
        assert result == {"p1": E, "p2": E}
    else:
        assert result == {"p1": N, "p2": F}
    check_consistent(result, parties)


def test_given_single_vehicle_with_one_party_when_suggested_then_that_party_full():
    assert suggest(GD.get("SINGLE_VEHICLE"), "p1", ["p1"]) == {"p1": F}
    check_consistent({"p1": F}, ["p1"])


@pytest.mark.parametrize("parties", [["p1", "p2"], ["p1", "p2", "p3"]])
def test_given_single_vehicle_with_two_or_more_parties_when_suggested_then_refused_on_scenario(parties):
    with pytest.raises(ValidationFailed) as caught:
        suggest(GD.get("SINGLE_VEHICLE"), "p1", parties)
    assert caught.value.field == "scenario"
    assert "one vehicle alone" in caught.value.message


def test_given_three_parties_and_a_rear_end_when_suggested_then_the_others_none():
    assert suggest(GD.get("REAR_END"), "b", ["a", "b", "c"]) == {"a": N, "b": F, "c": N}


def test_given_both_at_fault_with_three_parties_when_suggested_then_all_equal_and_at_fault_ignored():
    assert suggest(GD.get("BOTH_AT_FAULT"), "a", ["a", "b", "c"]) == {"a": E, "b": E, "c": E}
    assert suggest(GD.get("BOTH_AT_FAULT"), None, ["a", "b"]) == {"a": E, "b": E}


def test_given_both_at_fault_with_a_single_party_when_suggested_then_refused_on_scenario():
    with pytest.raises(ValidationFailed) as caught:
        suggest(GD.get("BOTH_AT_FAULT"), None, ["a"])
    assert caught.value.field == "scenario"
    assert "at least two parties" in caught.value.message


def test_given_a_collision_scenario_with_a_single_party_when_suggested_then_refused_on_scenario():
    with pytest.raises(ValidationFailed) as caught:
        suggest(GD.get("REAR_END"), "a", ["a"])
    assert caught.value.field == "scenario"


@pytest.mark.parametrize("at_fault", [None, "stranger"])
def test_given_a_missing_or_foreign_at_fault_party_when_suggested_then_refused_on_at_fault_party(at_fault):
    with pytest.raises(ValidationFailed) as caught:
        suggest(GD.get("LANE_CHANGE"), at_fault, ["a", "b"])
    assert caught.value.field == "atFaultPartyId"
    assert "at-fault party" in caught.value.message
    if at_fault:
        assert at_fault in caught.value.message


# --- check_consistent --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        (F, N),
        (N, F),
        (F, N, N),
        (P, S),
        (P, S, S),
        (P, S, N),
        (E, E),
        (E, E, E),
        (E, E, N),
        (N, N),
        (N, N, N),
        (F,),
        (N,),
    ],
    ids=lambda v: "+".join(x.value for x in v),
)
def test_given_a_lawful_combination_when_checked_then_accepted(values):
    parties = [f"p{i}" for i in range(len(values))]
    check_consistent(dict(zip(parties, values, strict=True)), parties)


UNLAWFUL = [
    ((F, F), "FULL"),
    ((F, S), "FULL"),
    ((F, E, E), "FULL"),
    ((F, P, S), "FULL"),
    ((P, N), "PRIMARY liability needs at least one SECONDARY"),
    ((P, P, S), "PRIMARY liability: at most one"),
    ((P, E, S), "no EQUAL"),
    ((S, N), "SECONDARY liability needs a PRIMARY"),
    ((S, S), "SECONDARY liability needs a PRIMARY"),
    ((E, N), "EQUAL liability needs at least two"),
    ((E, N, N), "EQUAL liability needs at least two"),
    ((P,), "single party"),
    ((E,), "single party"),
    ((S,), "single party"),
]


@pytest.mark.parametrize(("values", "rule"), [pytest.param(v, r, id="+".join(x.value for x in v)) for v, r in UNLAWFUL])
def test_given_an_unlawful_combination_when_checked_then_refused_naming_the_rule(values, rule):
    parties = [f"p{i}" for i in range(len(values))]
    error = _refused(dict(zip(parties, values, strict=True)), parties, rule)
    assert "Art.60" in error.message


def test_given_a_missing_party_when_checked_then_refused_naming_it():
    _refused({"a": F}, ["a", "b"], "'b'", "every party exactly once")


def test_given_an_unknown_party_when_checked_then_refused_naming_it():
    _refused({"a": F, "b": N, "zz": N}, ["a", "b"], "'zz'", "every party exactly once")


def test_given_a_party_listed_twice_when_checked_then_refused():
    _refused({"a": F, "b": N}, ["a", "b", "a"], "'a'", "twice")


def test_given_no_party_when_checked_then_refused():
    _refused({}, [], "at least one party")


def test_given_string_values_when_checked_then_read_as_liabilities():
    check_consistent({"a": "PRIMARY", "b": "SECONDARY"}, ["a", "b"])  # type: ignore[dict-item]
    _refused({"a": "HALF", "b": "NONE"}, ["a", "b"], "'HALF'")


# --- damage shares -----------------------------------------------------------------------------

SHARES = config.load("scenarios")["damageShares"]


@pytest.mark.parametrize(("liability", "percent"), [(F, 100), (P, 80), (E, 60), (S, 40), (N, 10)])
def test_given_motor_vs_pedestrian_when_shares_computed_then_motor_bears_the_configured_percent(liability, percent):
    other = {F: N, P: S, E: E, S: P, N: F}[liability]
    result = damage_shares({"car": liability, "walker": other}, {"car": "MOTOR", "walker": "PEDESTRIAN"}, SHARES)
    assert result == {"car": percent}


def test_given_motor_vs_cyclist_and_pedestrian_when_shares_computed_then_only_the_motor_listed():
    result = damage_shares({"car": P, "bike": S, "walker": N}, {"car": "MOTOR", "bike": "NON_MOTOR", "walker": "PEDESTRIAN"}, SHARES)
    assert result == {"car": 80}


def test_given_motor_vs_motor_when_shares_computed_then_empty():
    assert damage_shares({"a": F, "b": N}, {"a": "MOTOR", "b": "MOTOR"}, SHARES) == {}


def test_given_two_motors_and_a_pedestrian_when_shares_computed_then_empty():
    assert damage_shares({"a": E, "b": E, "w": N}, {"a": "MOTOR", "b": "MOTOR", "w": "PEDESTRIAN"}, SHARES) == {}


def test_given_a_lone_motor_vehicle_when_shares_computed_then_empty():
    assert damage_shares({"a": F}, {"a": "MOTOR"}, SHARES) == {}


def test_given_no_motor_vehicle_when_shares_computed_then_empty():
    assert damage_shares({"b": F, "w": N}, {"b": "NON_MOTOR", "w": "PEDESTRIAN"}, SHARES) == {}


def test_given_a_party_without_a_known_kind_when_shares_computed_then_refused():
    with pytest.raises(ValidationFailed):
        damage_shares({"a": F, "b": N}, {"a": "MOTOR"}, SHARES)
    with pytest.raises(ValidationFailed):
        damage_shares({"a": F, "b": N}, {"a": "MOTOR", "b": "HORSE"}, SHARES)
