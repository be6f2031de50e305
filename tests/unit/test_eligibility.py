from chalicelib.domain.eligibility import InjurySeverity, assess

CLEAR = {
    "no_valid_licence": False,
    "drink_or_drugs": False,
    "no_plate": False,
    "party_left_scene": False,
    "dangerous_goods": False,
    "facility_damaged": False,
    "intentional": False,
}


def _assess(injuries=False, severity=None, consents=(), movable=True, **flags):
    return assess(screening={**CLEAR, **flags}, injuries=injuries, injury_severity=severity, consents=consents,
                  vehicles_movable=movable)


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
    result = _assess(injuries=True, severity=InjurySeverity.SLIGHT, consents=(True, False))
    assert not result.remote
    assert [r.code for r in result.reasons] == ["INJURY_NOT_AGREED"]
    assert result.reasons[0].article == "第十三条、第二十三条"


def test_given_slight_injury_all_agree_when_assessed_then_remote_simple_procedure_without_self_settlement():
    result = _assess(injuries=True, severity=InjurySeverity.SLIGHT, consents=(True, True))
    assert result.remote
    assert not result.self_settlement_allowed


def test_given_slight_injury_and_a_consent_not_recorded_when_assessed_then_referred():
    assert not _assess(injuries=True, severity=InjurySeverity.SLIGHT, consents=(True, None)).remote
    assert not _assess(injuries=True, severity=InjurySeverity.SLIGHT, consents=()).remote


def test_given_a_death_when_every_party_consents_then_still_on_scene_citing_art13():
    result = _assess(injuries=True, severity=InjurySeverity.FATAL, consents=(True, True))
    assert not result.remote and not result.self_settlement_allowed
    assert [(r.code, r.article) for r in result.reasons] == [("DEATH", "第十三条")]


def test_given_a_serious_injury_when_every_party_consents_then_still_on_scene():
    result = _assess(injuries=True, severity=InjurySeverity.SERIOUS, consents=(True, True))
    assert not result.remote
    assert [r.code for r in result.reasons] == ["INJURY_NOT_SLIGHT"]
    assert "第二十三条" in result.reasons[0].article


def test_given_an_injury_of_unknown_severity_when_assessed_then_never_taken_as_slight():
    assert not _assess(injuries=True, severity=None, consents=(True, True)).remote


def test_given_dangerous_goods_when_assessed_then_the_reason_cites_art15():
    result = _assess(dangerous_goods=True)
    assert [(r.code, r.article) for r in result.reasons] == [("DANGEROUS_GOODS", "第十五条")]


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
