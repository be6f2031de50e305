"""Staff accounts (seeded locally; provisioned by the police identity system in AWS)."""

from __future__ import annotations

from chalicelib.store.models import StaffItem
from chalicelib.store.ttl_cache import TtlCache

# An officer's badge is printed on every letter they issue and changes seldom.
BADGE_SECONDS = 300.0
_badges: TtlCache[str, str] = TtlCache(BADGE_SECONDS)


def member(staff_id: str) -> StaffItem | None:
    """A staff account (an officer, a mediator), or None when there is none."""
    try:
        return StaffItem.get(f"STAFF#{staff_id}", "#STAFF")
    except StaffItem.DoesNotExist:
        return None


def badge(staff_id: str) -> str:
    """The officer's 警号 for documents; the account id when no account record exists."""
    return _badges.get(staff_id, _read_badge) or staff_id


def _read_badge(staff_id: str) -> str | None:
    account = member(staff_id)
    return account.badge if account is not None else None
