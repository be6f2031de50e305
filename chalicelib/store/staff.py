"""Staff accounts (seeded locally; provisioned by the police identity system in AWS)."""

from __future__ import annotations

from chalicelib.store.models import StaffItem


def badge(staff_id: str) -> str:
    """The officer's 警号 for documents; the account id when no account record exists."""
    try:
        return StaffItem.get(f"STAFF#{staff_id}", "#STAFF").badge
    except StaffItem.DoesNotExist:
        return staff_id
