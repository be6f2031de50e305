"""Beijing time (Asia/Shanghai, UTC+8, no daylight saving): the clock of every date and time a
party, an insurer's deadline or a document shows. Stored times stay ISO 8601 in UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def local(moment: str) -> datetime:
    """A stored ISO time as Beijing time."""
    return datetime.fromisoformat(moment).astimezone(CHINA)
