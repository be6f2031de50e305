"""The direct-pay QR token: a grant for one emergency admission at one hospital, signed with Ed25519.

The token is a compact JWS (a JWT, RFC 7519; `alg` EdDSA, RFC 8037) whose header names the key
(`kid`) and whose claims are the grant and nothing personal:

    {"jti": token id, "sub": application ref (opaque), "aud": hospital code, "iat": …, "exp": …}

A hospital verifies it offline with any JOSE library and the public keys published at
`/.well-known/medical-qr-keys` (ADR 0017). Keys are passed in: nothing here does I/O.

Verification order: the format, the key and the signature first (`QrForged`), so nothing of an
unsigned token is believed; then the validity (`QrExpired`), then the hospital (`QrWrongHospital`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.errors import QrExpired, QrForged, QrWrongHospital

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
CLAIMS = ("jti", "sub", "aud", "iat", "exp")
FIELD = "token"
# A real token is about 280 characters; anything much longer is not ours and is not parsed.
MAX_TOKEN_LENGTH = 2048


@dataclass(frozen=True)
class QrGrant:
    token_id: str
    application_ref: str
    hospital_code: str
    issued_at: datetime
    expires_at: datetime
    key_id: str


def _seconds(moment: datetime, name: str) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return int(moment.timestamp())


def sign_grant(grant: QrGrant, private_key: Ed25519PrivateKey) -> str:
    """The compact token text for `grant`, signed with `private_key` (whose id is `grant.key_id`).

    Times are carried in whole seconds.
    """
    import jwt  # lazily: cold starts of routes that never sign do not load it

    claims = {
        "jti": grant.token_id,
        "sub": grant.application_ref,
        "aud": grant.hospital_code,
        "iat": _seconds(grant.issued_at, "issued_at"),
        "exp": _seconds(grant.expires_at, "expires_at"),
    }
    # typ dropped: a shorter QR code, and nothing else of ours is signed with EdDSA.
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": grant.key_id, "typ": None})


def verify_grant(token: str, public_keys: Mapping[str, Ed25519PublicKey], *, now: datetime, hospital_code: str | None) -> QrGrant:
    """The grant a genuine, unexpired token carries, for `hospital_code` (None: any hospital).

    Raises QrForged (not ours: unreadable, unknown key, bad signature, claims missing or mistyped),
    QrExpired (at or after `expires_at`) or QrWrongHospital, each on field "token"; never anything else.
    """
    claims, key_id = _verified_claims(token, public_keys)
    grant = _grant(claims, key_id)
    if _seconds(now, "now") >= claims["exp"]:
        raise QrExpired("the direct-pay QR code has expired; the officer can issue a new one", field=FIELD)
    if hospital_code is not None and grant.hospital_code != hospital_code:
        raise QrWrongHospital("the direct-pay QR code was issued for another hospital", field=FIELD)
    return grant


def _verified_claims(token: Any, public_keys: Mapping[str, Ed25519PublicKey]) -> tuple[dict[str, Any], str]:
    import jwt

    forged = QrForged("the QR code is not a valid direct-pay token", field=FIELD)
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise forged
    try:
        header = jwt.get_unverified_header(token)
        key_id = header.get("kid")
        if not isinstance(key_id, str) or key_id not in public_keys or header.get("alg") != ALGORITHM:
            raise forged
        key = public_keys[key_id]
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            # The signature only: validity and hospital are checked against `now` below.
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False, "require": list(CLAIMS)},
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise forged from error
    return claims, key_id


def _grant(claims: dict[str, Any], key_id: str) -> QrGrant:
    texts = [claims[name] for name in ("jti", "sub", "aud")]
    times = [claims[name] for name in ("iat", "exp")]
    if not all(isinstance(value, str) and value for value in texts) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in times
    ):
        raise QrForged("the QR code is not a valid direct-pay token", field=FIELD)
    try:
        issued_at, expires_at = (datetime.fromtimestamp(value, UTC) for value in times)
    except (OverflowError, OSError, ValueError) as error:
        raise QrForged("the QR code is not a valid direct-pay token", field=FIELD) from error
    return QrGrant(
        token_id=texts[0], application_ref=texts[1], hospital_code=texts[2], issued_at=issued_at, expires_at=expires_at, key_id=key_id
    )
