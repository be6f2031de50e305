from chalicelib.domain.eligibility import assess

CLEAR = {
    "no_valid_licence": False,
    "drink_or_drugs": False,
    "no_plate": False,
    "party_left_scene": False,
    "dangerous_goods": False,
    "facility_damaged": False,
    "intentional": False,
}


def _assess(injuries=False, agreed=False, movable=True, **flags):
    return assess(screening={**CLEAR, **flags}, injuries=injuries, injury_agreed_remote=agreed, vehicles_movable=movable)


def test_given_property_loss_only_when_assessed_then_remote_with_self_settlement():
    result = _assess()
    assert result.remote and result.self_settlement_allowed and result.reasons == []


def test_given_several_art13_circumstances_when_assessed_then_referred_with_every_reason():
    result = _assess(drink_or_drugs=True, no_plate=True, intentional=True, movable=False)
    assert not result.remote
    assert [r.code for r in result.reasons] == ["DRINK_OR_DRUGS", "NO_PLATE", "INTENTIONAL", "VEHICLE_NOT_MOVABLE"]
    assert all(r.article == "第十三条" for r in result.reasons)


def test_given_each_art13_flag_alone_when_assessed_then_referred():
    for flag in ("no_valid_licence", "drink_or_drugs", "no_plate", "party_left_scene", "dangerous_goods", "intentional",
                 "school_bus_or_overloaded", "serious_speeding"):
        result = _assess(**{flag: True})
        assert not result.remote, flag
        assert len(result.reasons) == 1, flag


def test_given_injury_without_agreement_when_assessed_then_referred():
    result = _assess(injuries=True)
    assert not result.remote
    assert [r.code for r in result.reasons] == ["INJURY_NOT_AGREED"]


def test_given_slight_injury_all_agree_when_assessed_then_remote_simple_procedure_without_self_settlement():
    result = _assess(injuries=True, agreed=True)
    assert result.remote
    assert not result.self_settlement_allowed


def test_given_facility_damaged_when_assessed_then_remote_but_police_must_determine():
    result = _assess(facility_damaged=True)
    assert result.remote
    assert not result.self_settlement_allowed
    assert [r.code for r in result.reasons] == ["FACILITY_DAMAGED"]
    assert result.reasons[0].article == "第十四条"


def test_given_art13_and_art14_when_assessed_then_only_the_exclusions_are_listed():
    result = _assess(facility_damaged=True, drink_or_drugs=True)
    assert not result.remote
    assert [r.code for r in result.reasons] == ["DRINK_OR_DRUGS"]
