"""Inbound webhooks already applied (`WEBHOOK#<insurer>#<webhook-id>`), kept a week: senders
retry with the same webhook id, and a retry must change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.store.models import WebhookReceipt

KEPT = timedelta(days=7)
_SORT_KEY = "#WEBHOOK"


def _key(insurer_code: str, webhook_id: str) -> str:
    return f"WEBHOOK#{insurer_code}#{webhook_id}"


def exists(insurer_code: str, webhook_id: str) -> bool:
    """Whether this insurer's webhook was applied already (a consistent read)."""
    try:
        WebhookReceipt.get(_key(insurer_code, webhook_id), _SORT_KEY, consistent_read=True)
    except WebhookReceipt.DoesNotExist:
        return False
    return True


def new(insurer_code: str, webhook_id: str, case_id: str) -> WebhookReceipt:
    """The receipt to put in the same transaction as the change the webhook makes."""
    return WebhookReceipt(
        pk=_key(insurer_code, webhook_id), sk=_SORT_KEY, case_id=case_id, expires_at=datetime.now(UTC) + KEPT
    )
