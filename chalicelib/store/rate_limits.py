"""Counters for rate limits: one item per limited subject and window, counted with conditional
updates (no Scan, no race) and removed by the table's TTL once the window is over.

A window starts at the first counted request and lasts its length: a limit of 1 a minute means
one, then nothing for 60 seconds, whatever the clock's minute is. Only this module spells the
keys (`RATE#<purpose>#<window>#<subject>`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.store.table import TableItem, TableMeta

_SORT_KEY = "#RATE"


class RateCounterItem(TableItem):
    """Requests counted for one subject (a hashed phone, a case) in its current window."""

    class Meta(TableMeta):
        pass

    hits = NumberAttribute(default=0)
    window_ends = NumberAttribute(default=0)  # epoch seconds
    expires_at = TTLAttribute(null=True)


def _refused(error: UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def take(purpose: str, subject: str, limit: int, window: timedelta) -> int | None:
    """Count one request; None if it is within the limit, else the seconds until the window ends
    (nothing is counted then)."""
    item = RateCounterItem(pk=f"RATE#{purpose}#{int(window.total_seconds())}#{subject}", sk=_SORT_KEY)
    for _ in range(3):  # a window may end between the tries
        now = time.time()
        ends = now + window.total_seconds()
        try:  # a new window: no counter yet, or the last one is over
            item.update(
                actions=[RateCounterItem.hits.set(1), RateCounterItem.window_ends.set(ends),
                         RateCounterItem.expires_at.set(datetime.fromtimestamp(ends, UTC) + timedelta(minutes=5))],
                condition=RateCounterItem.pk.does_not_exist() | (RateCounterItem.window_ends <= now),
            )
            return None
        except UpdateError as error:
            if not _refused(error):
                raise
        try:  # the window is running: count if under the limit
            item.update(actions=[RateCounterItem.hits.add(1)],
                        condition=(RateCounterItem.window_ends > now) & (RateCounterItem.hits < limit))
            return None
        except UpdateError as error:
            if not _refused(error):
                raise
        try:
            current = RateCounterItem.get(item.pk, _SORT_KEY, consistent_read=True)
        except RateCounterItem.DoesNotExist:
            continue
        if float(current.window_ends) > now:
            return max(1, int(float(current.window_ends) - now + 0.999))
    return int(window.total_seconds())
