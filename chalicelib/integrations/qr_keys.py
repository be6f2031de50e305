"""The direct-pay QR signing keys (Ed25519), in one Secrets Manager secret (ADR 0017).

Value: `{"current": "<seed>", "retired": [{"seed": "<seed>", "publishUntil": ISO}]}`, or a bare
seed as CloudFormation generates the secret (a password; the first rotation writes the JSON form).
A key is the SHA-256 of its seed;
its id is the start of its RFC 7638 JWK thumbprint, so nothing but the seeds is stored.

`rotate` makes a new current key and keeps the old one published until every token it signed has
expired (`MEDICAL_QR_VALID_HOURS`, plus the cache time); keys past that are dropped at the next rotation. Read once a
minute at most: after a rotation, a warm instance may go on signing with the old key (still
published) and refuse a token of the new key for up to a minute.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_CACHE_SECONDS = 60.0
KEY_ID_LENGTH = 12


@dataclass(frozen=True)
class _Retired:
    key_id: str
    public_key: Ed25519PublicKey
    publish_until: datetime


@dataclass(frozen=True)
class _KeyRing:
    key_id: str
    private_key: Ed25519PrivateKey
    retired: tuple[_Retired, ...]


_cache: dict[str, tuple[float, _KeyRing]] = {}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def private_key_of(seed: str) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037 OKP), with its id, for the published key set."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    x = _b64(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    # RFC 7638: the required members in lexicographic order, no whitespace.
    thumbprint = _b64(hashlib.sha256(json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumbprint[:KEY_ID_LENGTH], "alg": "EdDSA", "use": "sig"}


def key_id(public_key: Ed25519PublicKey) -> str:
    return jwk(public_key)["kid"]


def _ring(value: dict[str, Any]) -> _KeyRing:
    private_key = private_key_of(value["current"])
    retired = []
    for entry in value.get("retired") or []:
        public_key = private_key_of(entry["seed"]).public_key()
        retired.append(_Retired(key_id(public_key), public_key, datetime.fromisoformat(entry["publishUntil"])))
    return _KeyRing(key_id(private_key.public_key()), private_key, tuple(retired))


def _secret_id() -> str:
    return get_settings().medical_qr_secret_id


def _read_value() -> dict[str, Any]:
    text = client("secretsmanager").get_secret_value(SecretId=_secret_id())["SecretString"]
    # As CloudFormation creates it: one generated seed, no JSON (the first rotation writes JSON).
    if not text.lstrip().startswith("{"):
        return {"current": text, "retired": []}
    return dict(json.loads(text))


def _keys() -> _KeyRing:
    cached = _cache.get(_secret_id())
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    ring = _ring(_read_value())
    _cache[_secret_id()] = (time.monotonic(), ring)
    return ring


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The current key: its id (the token's `kid`) and the private key."""
    ring = _keys()
    return ring.key_id, ring.private_key


def public_keys(now: datetime | None = None) -> dict[str, Ed25519PublicKey]:
    """Key id → public key: the current key and the retired ones whose tokens may still be valid."""
    moment = now or datetime.now(UTC)
    ring = _keys()
    keys = {r.key_id: r.public_key for r in ring.retired if r.publish_until > moment}
    keys[ring.key_id] = ring.private_key.public_key()
    return keys


def published(now: datetime | None = None) -> dict[str, Any]:
    """The JWK set served at `/.well-known/medical-qr-keys`: current key first."""
    keys = public_keys(now)
    current = _keys().key_id
    return {"keys": [jwk(keys[kid]) for kid in sorted(keys, key=lambda kid: (kid != current, kid))]}


def rotate(now: datetime | None = None, keep_for: timedelta | None = None) -> str:
    """A new current key; the old one stays published for `keep_for` (default: a token's validity).
    Returns the new key id."""
    moment = now or datetime.now(UTC)
    # An instance may sign with the old key until its cache expires: keep it published that much longer.
    keep = keep_for if keep_for is not None else timedelta(hours=get_settings().medical_qr_valid_hours, seconds=2 * _CACHE_SECONDS)
    value = _read_value()
    retired = [entry for entry in value.get("retired") or [] if datetime.fromisoformat(entry["publishUntil"]) > moment]
    retired.append({"seed": value["current"], "publishUntil": (moment + keep).isoformat(timespec="seconds")})
    new_seed = secrets.token_urlsafe(48)
    client("secretsmanager").put_secret_value(SecretId=_secret_id(), SecretString=json.dumps({"current": new_seed, "retired": retired}))
    forget_cached()
    return key_id(private_key_of(new_seed).public_key())


def ensure() -> None:
    """Create the secret with a generated key if there is none (the local stack; CDK creates it in AWS)."""
    sm = client("secretsmanager")
    try:
        sm.describe_secret(SecretId=_secret_id())
    except sm.exceptions.ResourceNotFoundException:
        sm.create_secret(Name=_secret_id(), SecretString=json.dumps({"current": secrets.token_urlsafe(48), "retired": []}))
    forget_cached()


def forget_cached() -> None:
    _cache.clear()
