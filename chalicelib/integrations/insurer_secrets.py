"""Each insurer's webhook signing secret, in Secrets Manager (one secret per insurer).

Value: `{"current": "whsec_…", "previous": "whsec_…" | null, "previousValidUntil": ISO | null}`.
After a rotation the previous secret is still accepted on inbound webhooks, and still signs
outbound ones beside the new one, until `previousValidUntil` (Standard Webhooks allows several
signatures in one header), so an insurer can switch without losing a message.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.integrations import webhooks
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

_CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _name(insurer_code: str) -> str:
    return f"{get_settings().insurer_secret_prefix}/{insurer_code}"


def _read(insurer_code: str) -> dict[str, Any]:
    cached = _cache.get(insurer_code)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    value = json.loads(client("secretsmanager").get_secret_value(SecretId=_name(insurer_code))["SecretString"])
    _cache[insurer_code] = (time.monotonic(), value)
    return dict(value)


def secrets_in_force(insurer_code: str, now: datetime | None = None) -> list[str]:
    """Current first, then the previous one while its grace period lasts."""
    value = _read(insurer_code)
    moment = now or datetime.now(UTC)
    secrets = [value["current"]]
    until = value.get("previousValidUntil")
    if value.get("previous") and until and datetime.fromisoformat(until) > moment:
        secrets.append(value["previous"])
    return secrets


def rotate(insurer_code: str, now: datetime | None = None) -> tuple[str, str | None]:
    """A new current secret; returns it (shown once) and until when the old one is accepted."""
    moment = now or datetime.now(UTC)
    old = _read_fresh(insurer_code)
    until = (moment + timedelta(hours=get_settings().secret_grace_hours)).isoformat(timespec="seconds")
    new = webhooks.new_secret()
    value = {"current": new, "previous": old["current"], "previousValidUntil": until}
    client("secretsmanager").put_secret_value(SecretId=_name(insurer_code), SecretString=json.dumps(value))
    _cache.pop(insurer_code, None)
    return new, until


def _read_fresh(insurer_code: str) -> dict[str, Any]:
    _cache.pop(insurer_code, None)
    return _read(insurer_code)


def ensure(insurer_code: str) -> None:
    """Create the insurer's secret if it has none (local stack seeding; AWS provisioning)."""
    sm = client("secretsmanager")
    try:
        sm.describe_secret(SecretId=_name(insurer_code))
    except sm.exceptions.ResourceNotFoundException:
        value = {"current": webhooks.new_secret(), "previous": None, "previousValidUntil": None}
        sm.create_secret(Name=_name(insurer_code), SecretString=json.dumps(value))


def forget_cached() -> None:
    _cache.clear()
