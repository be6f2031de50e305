from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal, Role

SECRET = "unit-test-secret-0123456789-0123456789"
NOW = datetime.now(UTC)


def test_given_party_principal_when_issued_and_read_then_same_principal():
    party = Principal(subject="P1", role=Role.PARTY, case_id="C1", token_id="T1")
    assert tokens.read(tokens.issue(party, SECRET, NOW, timedelta(days=1)), SECRET) == party


def test_given_same_inputs_when_issued_twice_then_identical_token():
    officer = Principal(subject="O1", role=Role.OFFICER, jurisdiction="320900")
    assert tokens.issue(officer, SECRET, NOW, timedelta(hours=1)) == tokens.issue(officer, SECRET, NOW, timedelta(hours=1))


def test_given_expired_token_when_read_then_refused_as_expired():
    officer = Principal(subject="O1", role=Role.OFFICER)
    token = tokens.issue(officer, SECRET, NOW - timedelta(hours=2), timedelta(hours=1))
    with pytest.raises(tokens.InvalidToken, match="expired"):
        tokens.read(token, SECRET)


def test_given_token_signed_with_other_secret_when_read_then_refused():
    token = tokens.issue(Principal(subject="O1", role=Role.OFFICER), "another-secret-0123456789-0123456789", NOW, timedelta(hours=1))
    with pytest.raises(tokens.InvalidToken, match="not valid"):
        tokens.read(token, SECRET)


def test_given_party_token_without_case_when_read_then_refused():
    token = tokens.issue(Principal(subject="P1", role=Role.PARTY), SECRET, NOW, timedelta(hours=1))
    with pytest.raises(tokens.InvalidToken):
        tokens.read(token, SECRET)


def test_given_garbage_when_read_then_refused():
    with pytest.raises(tokens.InvalidToken):
        tokens.read("not-a-token", SECRET)
