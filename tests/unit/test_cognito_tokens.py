"""Cognito ID and access tokens (ADR 0025): verified against the pool's JWKS and mapped to the
same Principal; every refusal is a 401 with its reason. Keys are generated here, the JWKS
document is served to the verifier by a stand-in fetch."""

from __future__ import annotations

import time

import pytest

from chalicelib.api.routing import authenticate
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Unauthenticated, Unavailable
from chalicelib.integrations import cognito
from tests.cognito_pool import CPIC_CLIENT, ENVIRONMENT, PICC_CLIENT, Pool, served
from tests.factories import staff_token


@pytest.fixture
def pool(monkeypatch):
    with served(monkeypatch) as stand_in:
        yield stand_in


def _principal(token: str) -> Principal:
    return authenticate({"authorization": f"Bearer {token}"})


def _refusal(token: str) -> str:
    with pytest.raises(Unauthenticated) as refused:
        _principal(token)
    assert refused.value.status == 401
    assert refused.value.field == "Authorization"
    return refused.value.message


def test_an_id_token_of_an_officer_is_an_officer_of_the_jurisdiction(pool):
    principal = _principal(pool.id_token("officer"))
    assert principal == Principal(subject="7d0c6f1e-0000-4000-8000-000000000001", role=Role.OFFICER, jurisdiction="320900")
    assert pool.fetches == [f"{ENVIRONMENT['COGNITO_ISSUER']}/.well-known/jwks.json"]


def test_an_id_token_of_partner_staff_acts_for_its_organisation(pool):
    principal = _principal(pool.id_token("hospital", **{"custom:org": "H001", "custom:jurisdiction": ""}))
    assert (principal.role, principal.org, principal.jurisdiction) == (Role.HOSPITAL, "H001", None)


def test_an_access_token_of_the_sign_in_client_is_accepted(pool):
    principal = _principal(pool.access_token("dispatcher"))
    assert (principal.role, principal.jurisdiction) == (Role.DISPATCHER, "320900")


def test_a_client_credentials_token_is_its_insurer(pool):
    principal = _principal(pool.client_credentials_token())
    assert principal == Principal(subject=PICC_CLIENT, role=Role.INSURER, org="PICC")


def test_keys_are_fetched_once_and_kept(pool):
    for _ in range(3):
        _principal(pool.id_token())
    assert len(pool.fetches) == 1


def test_local_hmac_and_party_tokens_keep_their_path(pool):
    assert _principal(staff_token("supervisor")).role is Role.SUPERVISOR
    assert pool.fetches == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.id_token(exp=int(time.time()) - 10), "the token has expired"),
        (lambda p: p.id_token(aud="someoneelsesclient"), "the token was issued to another client"),
        (lambda p: p.access_token(client_id="someoneelsesclient"), "the token was issued to another client"),
        (lambda p: p.id_token(iss="https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_Other"), "issued by another sign-in service"),
        (lambda p: p.id_token(token_use="refresh"), "neither an ID nor an access token"),
        (lambda p: p.id_token(group=[]), "exactly one role group, not 0"),
        (lambda p: p.id_token(group=["officer", "supervisor"]), "exactly one role group, not 2"),
        (lambda p: p.id_token(**{"custom:jurisdiction": None}), "carries no jurisdiction"),
        (lambda p: p.access_token("insurer"), "carries no org"),
        (lambda p: p.client_credentials_token(scope="yunchetong/insurer.CPIC"), "not its insurer's"),
        (lambda p: p.client_credentials_token(client_id=CPIC_CLIENT), "not its insurer's"),
    ],
)
def test_refused_tokens_say_why(pool, make, reason):
    assert reason in _refusal(make(pool))


def test_a_tampered_token_is_refused(pool):
    header, _payload, signature = pool.id_token("officer").split(".")
    forged_payload = pool.id_token("supervisor").split(".")[1]
    assert "signature does not match" in _refusal(f"{header}.{forged_payload}.{signature}")


def test_a_token_signed_by_a_key_the_pool_does_not_publish_is_refused(pool):
    stranger = Pool()
    token = stranger.id_token(kid="key-1").split(".")
    header = pool.sign({}, kid="key-1").split(".")[0]
    assert "signature does not match" in _refusal(f"{header}.{token[1]}.{token[2]}")


def test_an_unknown_key_id_refetches_at_a_bounded_rate(pool):
    unknown = Pool(keys={"key-9": Pool().keys["key-1"]})
    assert "a key the user pool does not publish" in _refusal(unknown.id_token(kid="key-9"))
    assert len(pool.fetches) == 1
    for _ in range(5):  # within the refresh interval: no further fetch
        assert "a key the user pool does not publish" in _refusal(unknown.id_token(kid="key-9"))
    assert len(pool.fetches) == 1


def test_a_rotated_key_is_fetched_once_the_interval_has_passed():
    pool = Pool()
    now = [0.0]
    keys = cognito.PoolKeys("https://pool/jwks", refresh_seconds=60, fetch=pool.fetch, clock=lambda: now[0])
    keys.key("key-1")
    pool.rotate("key-2")
    with pytest.raises(cognito.InvalidToken):
        keys.key("key-2")  # the set was fetched a moment ago
    now[0] = 61.0
    assert keys.key("key-2") is not None
    assert len(pool.fetches) == 2


def test_an_unreachable_pool_is_unavailable_not_unauthenticated():
    def down(url: str) -> dict:
        raise OSError("connection refused")

    keys = cognito.PoolKeys("https://pool/jwks", refresh_seconds=60, fetch=down)
    with pytest.raises(Unavailable):
        keys.key("key-1")
