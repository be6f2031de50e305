"""The official account's access token, shared through the table (ADR 0034).

WeChat's stable-token endpoint (`POST /cgi-bin/stable_token`, normal mode: never `force_refresh`,
which would invalidate the token every other container holds) is asked by one caller at a time:
the holder of the lease in `store.wechat_token`. Everyone else reads the stored token and uses it
until shortly before it expires. A refresh that fails leaves the stored token as it was.

WeChat only answers the token endpoints from whitelisted addresses, so in AWS only the refresher
function (in the VPC, behind the NAT's Elastic IP) fetches (`WECHAT_TOKEN_FETCH=refresher` for the
others); it refreshes ahead of expiry on a schedule. In normal mode WeChat hands out the next token
in the last five minutes of the current one, both valid meanwhile.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable

from chalicelib.integrations.secrets import wechat_app_secret
from chalicelib.observability import logger
from chalicelib.settings import get_settings
from chalicelib.store import wechat_token as store

WECHAT_API = "https://api.weixin.qq.com"
REFRESH_AHEAD_SECONDS = 600  # refresh when fewer seconds are left (the refresher runs every 2 minutes)
USABLE_MARGIN_SECONDS = 60  # stop using a token this long before it expires
LEASE_SECONDS = 10  # a refresh's lease: longer than the fetch's timeout
FETCH_TIMEOUT_SECONDS = 3.0
WAIT_SECONDS = 6.0  # how long a caller waits for another's refresh

Fetch = Callable[[], tuple[str, int]]  # (access token, seconds it is valid)


class TokenUnavailable(RuntimeError):
    """No usable access token: the refresh failed (or is not ours to do) and the stored one is expiring."""


def fetch_stable_token() -> tuple[str, int]:
    settings = get_settings()
    body = json.dumps(
        {"grant_type": "client_credential", "appid": settings.wechat_app_id, "secret": wechat_app_secret(), "force_refresh": False}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - a fixed https URL
        f"{WECHAT_API}/cgi-bin/stable_token", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as reply:  # noqa: S310
        answer = json.loads(reply.read())
    if "access_token" not in answer:
        raise TokenUnavailable(f"WeChat refused the token: {answer.get('errcode')}")
    return str(answer["access_token"]), int(answer.get("expires_in", 7200))


def access_token(fetch: Fetch = fetch_stable_token, clock: Callable[[], float] = time.time) -> str:
    """The shared token: the stored one while it has more than `REFRESH_AHEAD_SECONDS` left; else
    refreshed (here, or by the refresher, see the module doc); else the stored one while usable."""
    current = store.cached(get_settings().wechat_app_id)
    fresh = _fresh_token(current, clock())
    if fresh:
        return fresh
    if get_settings().wechat_token_fetch == "refresher":  # noqa: S105 - a mode, not a password
        return _usable(current, clock())
    return refresh(fetch, clock)


def refresh_if_due(fetch: Fetch = fetch_stable_token, clock: Callable[[], float] = time.time) -> bool:
    """The refresher's run: refresh when the stored token is missing or within `REFRESH_AHEAD_SECONDS`
    of expiry; True if it was due."""
    if _fresh_token(store.cached(get_settings().wechat_app_id), clock()):
        return False
    refresh(fetch, clock)
    return True


def refresh(fetch: Fetch = fetch_stable_token, clock: Callable[[], float] = time.time) -> str:
    """Ask WeChat under the lease, or wait for the caller holding it; a failure keeps the stored token."""
    app_id = get_settings().wechat_app_id
    holder = uuid.uuid4().hex
    now = clock()
    if store.take_lease(app_id, holder, now, now + LEASE_SECONDS):
        fresh = _fresh_token(store.cached(app_id), now)
        if fresh:  # refreshed by another caller since this one looked
            store.release(app_id, holder)
            return fresh
        try:
            token, valid_for = fetch()
        except Exception as failed:  # noqa: BLE001 - any failure: keep the old token, let the next caller try
            store.release(app_id, holder)
            logger.warning("WeChat token refresh failed", extra={"error": type(failed).__name__})
            return _usable(store.cached(app_id), clock())
        store.store(app_id, holder, token, now + valid_for)
        return token
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        current = store.cached(app_id)
        if current is None or current.leased_until < clock():  # the other caller is done (or gave up)
            break
    return _usable(store.cached(app_id), clock())


def _fresh_token(current: store.CachedToken | None, now: float) -> str | None:
    """The stored token while it has more than `REFRESH_AHEAD_SECONDS` left, else None."""
    if current is not None and current.token and current.expires_at - now > REFRESH_AHEAD_SECONDS:
        return current.token
    return None


def _usable(current: store.CachedToken | None, now: float) -> str:
    if current is not None and current.token and current.expires_at - now > USABLE_MARGIN_SECONDS:
        return current.token
    raise TokenUnavailable("no usable WeChat access token")
