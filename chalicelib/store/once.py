"""Keys that may be used once (conditional put with an expiry): no Scan, no race."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib.store.models import OnceItem


def claim(key: str, ttl: timedelta) -> bool:
    """True the first time `key` is claimed within `ttl`; False on every later try."""
    item = OnceItem(pk=f"ONCE#{key}", sk="#ONCE", expires_at=datetime.now(UTC) + ttl)
    try:
        item.save(condition=OnceItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def consume(key: str) -> str | None:
    """Take a key put there with `remember` (its value, or "" if it had none); None when it was
    never there, has expired, or another caller took it first."""
    from pynamodb.exceptions import DeleteError

    now = datetime.now(UTC)
    try:
        old = OnceItem._get_connection().delete_item(
            f"ONCE#{key}", "#ONCE", condition=OnceItem.pk.exists() & (OnceItem.expires_at > now), return_values="ALL_OLD"
        )
    except DeleteError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    attributes = (old or {}).get("Attributes", {})
    return str(attributes.get("value", {}).get("S", ""))


def remember(key: str, ttl: timedelta, value: str | None = None) -> None:
    OnceItem(pk=f"ONCE#{key}", sk="#ONCE", value=value, expires_at=datetime.now(UTC) + ttl).save()
