"""A stand-in Cognito user pool for tests: locally generated RSA keys, their JWKS document, and
ID / access / client-credentials tokens shaped like Cognito's, signed with them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_TestPool1"
SIGN_IN_CLIENT = "signinclient0000000000000a"
PICC_CLIENT = "picccredentialsclient00000"
CPIC_CLIENT = "cpiccredentialsclient00000"
RESOURCE_SERVER = "yunchetong"
PICC_SCOPE = f"{RESOURCE_SERVER}/insurer.PICC"

ENVIRONMENT = {
    "COGNITO_ISSUER": ISSUER,
    "COGNITO_SIGN_IN_CLIENT_ID": SIGN_IN_CLIENT,
    "COGNITO_INSURER_CLIENTS": json.dumps({"PICC": PICC_CLIENT, "CPIC": CPIC_CLIENT}),
    "COGNITO_RESOURCE_SERVER": RESOURCE_SERVER,
}


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Pool:
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=lambda: {"key-1": _new_key()})
    fetches: list[str] = field(default_factory=list)

    def jwks(self) -> dict[str, Any]:
        documents = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            documents.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": documents}

    def fetch(self, url: str) -> dict[str, Any]:
        self.fetches.append(url)
        return self.jwks()

    def rotate(self, kid: str) -> None:
        self.keys[kid] = _new_key()

    def sign(self, claims: dict[str, Any], kid: str = "key-1", key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def id_token(self, group: str | list[str] = "officer", kid: str = "key-1", **overrides: Any) -> str:
        groups = [group] if isinstance(group, str) else group
        claims = _signed_in(groups, aud=SIGN_IN_CLIENT, token_use="id", auth_time=int(time.time()))
        return self.sign({**claims, "cognito:username": "officer-0001", **overrides}, kid)

    def access_token(self, group: str = "officer", **overrides: Any) -> str:
        claims = _signed_in([group], client_id=SIGN_IN_CLIENT, token_use="access", scope="openid email")
        return self.sign({**claims, "username": "officer-0001", **overrides})

    def client_credentials_token(self, client_id: str = PICC_CLIENT, scope: str = PICC_SCOPE, **overrides: Any) -> str:
        claims = {**_lifetime(), "sub": client_id, "iss": ISSUER, "client_id": client_id, "token_use": "access", "scope": scope}
        return self.sign({**claims, **overrides})


def _lifetime() -> dict[str, int]:
    now = int(time.time())
    return {"iat": now, "exp": now + 3600}


def _signed_in(groups: list[str], **claims: Any) -> dict[str, Any]:
    """The claims of a signed-in officer of 320900 common to Cognito's ID and access tokens."""
    person = {"sub": "7d0c6f1e-0000-4000-8000-000000000001", "iss": ISSUER, "cognito:groups": groups, "custom:jurisdiction": "320900"}
    return {**_lifetime(), **person, **claims}


@contextmanager
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pool]:
    """The API configured for a pool whose JWKS document this stand-in serves; undone after."""
    from chalicelib.integrations import cognito
    from chalicelib.settings import reset_settings

    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    cognito.forget_keys()
    pool = Pool()
    monkeypatch.setattr(cognito, "fetch_jwks", pool.fetch)
    try:
        yield pool
    finally:
        cognito.forget_keys()
        for name in ENVIRONMENT:
            monkeypatch.delenv(name)
        reset_settings()
