"""What the local stack's SMS and WeChat stand-ins would have sent (kept a week; never in AWS)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from chalicelib.store.models import LocalSmsItem


def put(box: str, prefix: str, recipient: str, text: str, case_id: str | None) -> str:
    """Keep one message in `box` (its partition); returns the message id."""
    now = datetime.now(UTC)
    message_id = f"{prefix}-{secrets.token_hex(8)}"
    LocalSmsItem(
        pk=box, sk=f"{now.isoformat(timespec='milliseconds')}#{message_id}", message_id=message_id, phone=recipient,
        text=text, at=now.isoformat(timespec="milliseconds"), case_id=case_id, expires_at=now + timedelta(days=7),
    ).save()
    return message_id


def listing(box: str, limit: int) -> list[LocalSmsItem]:
    return list(LocalSmsItem.query(box, scan_index_forward=False, limit=limit))
