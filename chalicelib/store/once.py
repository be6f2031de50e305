"""Keys that may be used once (conditional put with an expiry): no Scan, no race.

Each use has its own named pair of functions, so callers say what they remember (an OAuth
state, a join code) and only this module spells the keys (`ONCE#<purpose>#…`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.store.models import OnceItem

_SORT_KEY = "#ONCE"


def _key(purpose: str, *parts: str) -> str:
    return "#".join(["ONCE", purpose, *parts])


def _claim(key: str, ttl: timedelta) -> bool:
    """True the first time `key` is claimed within `ttl`; False on every later try."""
    item = OnceItem(pk=key, sk=_SORT_KEY, expires_at=datetime.now(UTC) + ttl)
    try:
        item.save(condition=OnceItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _remember(key: str, ttl: timedelta, value: str | None = None) -> None:
    OnceItem(pk=key, sk=_SORT_KEY, value=value, expires_at=datetime.now(UTC) + ttl).save()


def _consume(key: str) -> str | None:
    """Take a key put there with `_remember` (its value, or "" if it had none); None when it was
    never there, has expired, or another caller took it first."""
    now = datetime.now(UTC)
    try:
        old = OnceItem._get_connection().delete_item(
            key, _SORT_KEY, condition=OnceItem.pk.exists() & (OnceItem.expires_at > now), return_values="ALL_OLD"
        )
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    attributes = (old or {}).get("Attributes", {})
    return str(attributes.get("value", {}).get("S", ""))


def claim_wechat_push(push_id: str, ttl: timedelta) -> bool:
    """True for the first delivery of a WeChat push; False for WeChat's retries of it."""
    return _claim(_key("WECHAT", push_id), ttl)


def claim_wechat_nonce(timestamp: str, nonce: str, body_digest: str, ttl: timedelta) -> bool:
    """True the first time WeChat's timestamp and nonce arrive, and again for the same body (a
    retry); False when they come back with another body (a replayed plain-mode signature)."""
    key = _key("WECHATNONCE", timestamp, nonce)
    item = OnceItem(pk=key, sk=_SORT_KEY, value=body_digest, expires_at=datetime.now(UTC) + ttl)
    try:
        item.save(condition=OnceItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        seen = OnceItem.get(key, _SORT_KEY, consistent_read=True)
        return seen.value == body_digest
    return True


def remember_oauth_state(state: str, ttl: timedelta) -> None:
    _remember(_key("OAUTHSTATE", state), ttl)


def spend_oauth_state(state: str) -> bool:
    """True once for a state this service issued and that has not expired."""
    return _consume(_key("OAUTHSTATE", state)) is not None


def remember_oauth_code(code: str, openid: str, ttl: timedelta) -> None:
    _remember(_key("OAUTHCODE", code), ttl, value=openid)


def take_oauth_code(code: str) -> str | None:
    """The openid a code was issued for, once; None if unknown, expired or already taken."""
    return _consume(_key("OAUTHCODE", code)) or None


def remember_join_code(case_id: str, party_id: str, openid: str, digest: str, ttl: timedelta) -> None:
    """The digest of the code texted to a party's phone for this WeChat user (a new one replaces it)."""
    _remember(_key("JOINCODE", case_id, party_id, openid), ttl, value=digest)


def take_join_code(case_id: str, party_id: str, openid: str) -> str | None:
    """The digest remembered for this party and WeChat user, once; None if none is in force."""
    return _consume(_key("JOINCODE", case_id, party_id, openid)) or None
