"""Cognito ID and access tokens (ADR 0025): RS256 signatures checked against the user pool's
published keys (its JWKS), the issuer and the expiry; the claims then become a `Principal`
(`chalicelib.domain.cognito_claims`).

The keys are fetched on first use and kept; a token signed with a key id not among them
refetches the set (Cognito rotates keys by publishing the new one first), at most once per
`COGNITO_KEYS_REFRESH_SECONDS`, so tokens with made-up key ids cannot make every request fetch.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from functools import cache
from typing import Any

from chalicelib.domain.cognito_claims import PoolClients, principal_from_claims
from chalicelib.domain.principals import Principal
from chalicelib.domain.tokens import InvalidToken
from chalicelib.errors import Unavailable
from chalicelib.settings import get_settings

ALGORITHM = "RS256"
_FETCH_TIMEOUT_SECONDS = 3.0

JwksFetch = Callable[[str], dict[str, Any]]


def fetch_jwks(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - https URL from settings
        document: dict[str, Any] = json.load(response)
    return document


class PoolKeys:
    """The signing keys of one user pool by key id, refreshed on an unknown key id at a bounded rate."""

    def __init__(
        self, jwks_url: str, refresh_seconds: float, fetch: JwksFetch | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._url = jwks_url
        self._refresh_seconds = refresh_seconds
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, key_id: str) -> Any:
        with self._lock:
            if key_id not in self._keys and self._may_refresh():
                self._refresh()
            found = self._keys.get(key_id)
        if found is None:
            raise InvalidToken("the token is signed with a key the user pool does not publish")
        return found

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._refresh_seconds

    def _refresh(self) -> None:
        import jwt

        self._fetched_at = self._clock()  # a failed fetch counts too: no retry storm against the pool
        try:
            key_set = jwt.PyJWKSet.from_dict((self._fetch or fetch_jwks)(self._url))
        except (OSError, ValueError, jwt.PyJWTError) as error:
            raise Unavailable("the sign-in service's keys cannot be read now; try again", field="Authorization") from error
        self._keys = {key.key_id: key.key for key in key_set.keys if key.key_id and key.algorithm_name == ALGORITHM}


@cache
def _pool_keys(jwks_url: str, refresh_seconds: float) -> PoolKeys:
    return PoolKeys(jwks_url, refresh_seconds)


def forget_keys() -> None:
    """Drop the fetched keys (tests, and a settings change in the local stack)."""
    _pool_keys.cache_clear()


def pool_clients() -> PoolClients:
    settings = get_settings()
    by_insurer: dict[str, str] = json.loads(settings.cognito_insurer_clients)
    return PoolClients(
        sign_in=settings.cognito_sign_in_client_id or "",
        insurers={client_id: code for code, client_id in by_insurer.items()},
        resource_server=settings.cognito_resource_server,
    )


def is_pool_token(token: str) -> bool:
    """Whether to verify `token` here: a pool is configured and the token is RS256-signed with a
    key id (the local tokens are HS256 and keep their own path)."""
    import jwt

    if not get_settings().cognito_issuer:
        return False
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return header.get("alg") == ALGORITHM and bool(header.get("kid"))


def read(token: str, keys: PoolKeys | None = None) -> Principal:
    import jwt

    settings = get_settings()
    issuer = settings.cognito_issuer
    if not issuer:
        raise InvalidToken("the token is not valid")
    try:
        header = jwt.get_unverified_header(token)
        # Checked before any key is fetched: another pool's tokens never make us refetch ours.
        if jwt.decode(token, options={"verify_signature": False}).get("iss") != issuer:
            raise InvalidToken("the token was issued by another sign-in service")
        signing_key = (keys or _pool_keys(f"{issuer}/.well-known/jwks.json", settings.cognito_keys_refresh_seconds)).key(
            str(header.get("kid"))
        )
        claims = jwt.decode(
            token,
            signing_key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the token has expired") from error
    except jwt.InvalidSignatureError as error:
        raise InvalidToken("the token's signature does not match its content") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("the token is not valid") from error
    return principal_from_claims(claims, pool_clients())
