import pytest

from chalicelib import config
from chalicelib.domain.principals import Role
from infra.local.token import principal_for

SEED = config.load("seed_yancheng")


def test_given_staff_role_when_token_requested_then_seeded_account_with_its_unit():
    officer = principal_for(Role.OFFICER, None, SEED)
    assert (officer.subject, officer.jurisdiction) == ("O0001", "320900")


def test_given_partner_role_when_org_known_then_bound_to_it_else_refused():
    assert principal_for(Role.INSURER, "PICC", SEED).org == "PICC"
    assert principal_for(Role.TOW, "TT07", SEED).org == "TT07"
    assert principal_for(Role.REPAIRER, "RP01", SEED).org == "RP01"  # a repair shop's staff, for its case rooms
    with pytest.raises(SystemExit, match="ORG="):
        principal_for(Role.HOSPITAL, "NOPE", SEED)
    with pytest.raises(SystemExit, match="POST /cases"):
        principal_for(Role.PARTY, None, SEED)


def test_given_seed_when_counted_then_partners_match_the_platform():
    assert (len(SEED["insurers"]), len(SEED["hospitals"]), len(SEED["towTrucks"]), len(SEED["servicePoints"])) == (23, 6, 49, 4)
    for truck in SEED["towTrucks"]:
        assert abs(truck["lat"] - 33.35) < 0.2 and abs(truck["lng"] - 120.16) < 0.2


def test_given_fund_role_when_token_requested_then_the_seeded_fund_reviewer_of_the_unit():
    reviewer = principal_for(Role.FUND, None, SEED)
    assert (reviewer.subject, reviewer.role, reviewer.jurisdiction) == ("F0001", Role.FUND, "320900")


def test_given_mediator_role_when_token_requested_then_the_seeded_mediator_of_the_unit():
    mediator = principal_for(Role.MEDIATOR, None, SEED)
    assert (mediator.subject, mediator.role, mediator.jurisdiction) == ("M0001", Role.MEDIATOR, "320900")
