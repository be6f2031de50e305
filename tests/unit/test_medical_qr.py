"""The direct-pay QR token (`domain/medical_qr.py`): signed, expiring, for one hospital."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.medical_qr import QrGrant, sign_grant, verify_grant
from chalicelib.errors import QrAlreadyRedeemed, QrExpired, QrForged, QrWrongHospital

ISSUED = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
CURRENT = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
RETIRED = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KEYS = {"k-current": CURRENT.public_key(), "k-retired": RETIRED.public_key()}
GRANT = QrGrant(
    token_id="T0123456789ABCDEF",
    application_ref="MA7Q2K9XW4R8T1ZP",
    hospital_code="YC-H01",
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(hours=24),
    key_id="k-current",
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify(token, *, now=ISSUED + timedelta(hours=1), hospital="YC-H01", keys=KEYS):
    return verify_grant(token, keys, now=now, hospital_code=hospital)


def test_given_a_signed_grant_when_verified_at_its_hospital_then_the_same_grant_comes_back():
    token = sign_grant(GRANT, CURRENT)
    assert verify(token) == GRANT
    assert verify(token, hospital=None) == GRANT  # the offline verifier may not name a hospital


def test_the_token_is_short_enough_for_a_printed_qr_code_and_carries_no_personal_data():
    token = sign_grant(GRANT, CURRENT)
    assert len(token) < 300
    header, payload, _ = token.split(".")
    assert json.loads(_unb64(header)) == {"alg": "EdDSA", "kid": "k-current"}
    assert set(json.loads(_unb64(payload))) == {"jti", "sub", "aud", "iat", "exp"}


def test_given_a_tampered_payload_then_it_is_forged():
    header, payload, signature = sign_grant(GRANT, CURRENT).split(".")
    claims = json.loads(_unb64(payload)) | {"aud": "YC-H02"}
    with pytest.raises(QrForged) as refused:
        verify(f"{header}.{_b64(json.dumps(claims).encode())}.{signature}", hospital="YC-H02")
    assert refused.value.status == 422 and refused.value.field == "token"


def test_given_a_tampered_signature_then_it_is_forged():
    header, payload, signature = sign_grant(GRANT, CURRENT).split(".")
    flipped = bytearray(_unb64(signature))
    flipped[0] ^= 1
    with pytest.raises(QrForged):
        verify(f"{header}.{payload}.{_b64(bytes(flipped))}")


def test_given_a_token_signed_by_a_key_nobody_published_then_it_is_forged():
    with pytest.raises(QrForged):
        verify(sign_grant(replace(GRANT, key_id="k-unknown"), Ed25519PrivateKey.generate()))
    with pytest.raises(QrForged):  # a known key id, signed by another key
        verify(sign_grant(GRANT, Ed25519PrivateKey.generate()))


def test_given_another_algorithm_then_it_is_forged():
    import jwt

    token = jwt.encode({"jti": "T", "sub": "A", "aud": "YC-H01", "iat": 1, "exp": 2**40}, "s" * 32, "HS256", headers={"kid": "k-current"})
    with pytest.raises(QrForged):
        verify(token)


def test_given_the_validity_is_over_then_it_is_expired_from_the_last_second():
    token = sign_grant(GRANT, CURRENT)
    assert verify(token, now=GRANT.expires_at - timedelta(seconds=1)) == GRANT
    with pytest.raises(QrExpired) as refused:
        verify(token, now=GRANT.expires_at)
    assert refused.value.status == 410


def test_given_an_expired_forgery_then_it_is_forged_not_expired():
    token = sign_grant(GRANT, Ed25519PrivateKey.generate())
    with pytest.raises(QrForged):
        verify(token, now=GRANT.expires_at + timedelta(days=1))


def test_given_another_hospital_then_it_is_refused_for_that_reason():
    with pytest.raises(QrWrongHospital) as refused:
        verify(sign_grant(GRANT, CURRENT), hospital="YC-H02")
    assert refused.value.status == 403


def test_given_a_token_of_a_retired_key_still_published_then_it_verifies():
    grant = replace(GRANT, key_id="k-retired")
    assert verify(sign_grant(grant, RETIRED)) == grant


def test_the_four_refusals_have_distinct_codes_and_client_statuses():
    errors = [QrForged, QrExpired, QrWrongHospital, QrAlreadyRedeemed]
    assert len({error.code for error in errors}) == 4
    assert all(400 <= error.status < 500 for error in errors)
    assert QrAlreadyRedeemed.status == 409


def test_a_naive_time_is_a_programming_error():
    with pytest.raises(ValueError):
        sign_grant(replace(GRANT, issued_at=datetime(2026, 10, 1)), CURRENT)


@pytest.mark.parametrize("garbage", ["", ".", "..", "a.b.c", "eyJ.eyJ.x", "x" * 5000, None, 12, b"bytes", "é.é.é"])
def test_given_garbage_then_it_is_forged(garbage):
    with pytest.raises(QrForged):
        verify(garbage)


def _claims_token(claims: dict, header: dict | None = None) -> str:
    head = _b64(json.dumps(header or {"alg": "EdDSA", "kid": "k-current"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = _b64(CURRENT.sign(f"{head}.{body}".encode()))
    return f"{head}.{body}.{signature}"


@pytest.mark.parametrize(
    "claims",
    [
        {"jti": "T", "sub": "A", "aud": "YC-H01", "iat": 1},  # no exp
        {"jti": 1, "sub": "A", "aud": "YC-H01", "iat": 1, "exp": 2**40},
        {"jti": "T", "sub": "A", "aud": ["YC-H01"], "iat": 1, "exp": 2**40},
        {"jti": "T", "sub": "A", "aud": "YC-H01", "iat": True, "exp": 2**40},
        {"jti": "T", "sub": "A", "aud": "YC-H01", "iat": 1, "exp": 10**30},
    ],
)
def test_given_signed_claims_of_the_wrong_shape_then_it_is_forged(claims):
    with pytest.raises(QrForged):
        verify(_claims_token(claims))


@given(
    st.one_of(
        st.text(max_size=400), st.binary(max_size=200).map(lambda b: _b64(b)), st.lists(st.text(max_size=80), max_size=4).map(".".join)
    )
)
def test_fuzz_anything_but_a_signed_token_is_forged_and_nothing_else(text):
    with pytest.raises(QrForged):
        verify(text)


@given(
    st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "crit", "b64"]),
        st.one_of(st.sampled_from(["EdDSA", "k-current"]), st.text(max_size=10), st.integers(), st.none(), st.lists(st.text(max_size=4))),
    )
)
def test_fuzz_a_signed_token_with_odd_headers_verifies_only_with_our_algorithm_and_key(header):
    token = _claims_token({"jti": "T", "sub": "A", "aud": "YC-H01", "iat": 1, "exp": 2**40}, header=header)
    try:
        grant = verify(token)
    except QrForged:
        return
    assert header.get("alg") == "EdDSA" and grant.key_id == header.get("kid") == "k-current"
