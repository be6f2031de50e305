"""Staff accounts (seeded locally; provisioned by the police identity system in AWS)."""

from __future__ import annotations

from chalicelib.store.models import StaffItem


def member(staff_id: str) -> StaffItem | None:
    """A staff account (an officer, a mediator), or None when there is none."""
    try:
        return StaffItem.get(f"STAFF#{staff_id}", "#STAFF")
    except StaffItem.DoesNotExist:
        return None


def badge(staff_id: str) -> str:
    """The officer's 警号 for documents; the account id when no account record exists."""
    account = member(staff_id)
    return account.badge if account is not None else staff_id
