"""The report figures' items (issue 15, ADR 0027): the only place that spells their keys.

Per police unit and Beijing calendar day, partition `STATS#<unit>#<YYYY-MM-DD>` holds
- counter shards `COUNT#<nn>`: one Number attribute per counted figure that moved, added to with an
  `ADD` update inside the case's own TransactWrite; a case always adds to the same shard (a hash of
  its id), so one busy day's writes spread over the shards, and the rebuild writes what the live
  writes made, item for item;
- durations `TIME#<figure>#<caseId>` (`#<orderId>` for rescue orders) with `minutes`: a put, so a
  replayed write leaves one item.
A change moves its figures exactly when its transaction commits: a cancelled or retried transaction
moved nothing, and the case's version condition refuses a second commit of the same decision.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from pynamodb.attributes import NumberAttribute
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.domain.report_figures import COUNTED
from chalicelib.domain.report_moves import CaseFacts, Duration, Event, Moves, moves
from chalicelib.store.models import CaseItem, RescueOrderItem, TableItem, TableMeta

# The partitions the counters live on, as an IAM `dynamodb:LeadingKeys` pattern (infra/cdk).
LEADING_KEYS = "STATS#*"
COUNT_PREFIX = "COUNT#"
TIME_PREFIX = "TIME#"

# One Number attribute per counted figure (absent = 0) and `minutes` for a duration item.
StatsItem: Any = type("StatsItem", (TableItem,), {
    "__module__": __name__,
    "Meta": type("Meta", (TableMeta,), {}),
    "minutes": NumberAttribute(null=True),
    **{name: NumberAttribute(null=True) for name in COUNTED},
})


def shards() -> int:
    return int(config.load("report_counters")["counterShards"])


def look_back_days() -> int:
    return int(config.load("report_counters")["rebuildLookBackDays"])


def stats_key(unit: str, day: date) -> str:
    return f"STATS#{unit}#{day.isoformat()}"


def shard_of(case_id: str) -> int:
    """The case's counter shard: stable, so its live moves and their rebuild land on one item."""
    return int(hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8], 16) % shards()


def count_key(shard: int) -> str:
    return f"{COUNT_PREFIX}{shard:02d}"


def time_key(duration: Duration) -> str:
    tail = f"#{duration.order_id}" if duration.order_id else ""
    return f"{TIME_PREFIX}{duration.figure}#{duration.case_id}{tail}"


def facts(case: CaseItem, orders: Iterable[RescueOrderItem]) -> CaseFacts:
    return CaseFacts(case_id=case.case_id, unit=case.jurisdiction, reported_at=case.reported_at,
                     rescue_requested_at={order.order_id: order.requested_at for order in orders})


def record(transaction: TransactWrite, case: CaseItem, changes: Iterable[Any], at: str) -> None:
    """Add what the changes move to the case's transaction (the hook in `store.cases._write`)."""
    changes = list(changes)
    touched = [item for change in changes for item in [*change.puts, *(r for r, _ in change.replaces)]]
    known = facts(case, (item for item in touched if isinstance(item, RescueOrderItem)))
    moved = [m for change in changes if (m := moves(Event(change.action, change.detail, at), known)) is not None]
    add(transaction, case.case_id, moved)


def add(transaction: TransactWrite, case_id: str, moved: list[Moves]) -> None:
    """One ADD per day's shard (a transaction may touch an item once) and one put per duration."""
    summed: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in moved:
        for name, value in m.counts.items():
            summed[(m.unit, m.day)][name] += value
        for duration in m.durations:
            transaction.save(StatsItem(stats_key(m.unit, m.day), time_key(duration), minutes=duration.minutes))
    for (unit, day), counts in summed.items():
        item = StatsItem(stats_key(unit, day), count_key(shard_of(case_id)))
        transaction.update(item, actions=[getattr(StatsItem, name).add(value) for name, value in sorted(counts.items())])


def day_items(unit: str, day: date) -> list[dict[str, Any]]:
    """The day's items as stored (plain values), for the rebuild and its proof."""
    return [_plain(item) for item in StatsItem.query(stats_key(unit, day), consistent_read=True)]


def _plain(item: Any) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in ("minutes", *COUNTED) if getattr(item, name) is not None}
    return {"pk": item.pk, "sk": item.sk, **values}


def replace_day(unit: str, day: date, moved: list[tuple[str, Moves]]) -> int:
    """Make the day's partition exactly what these (case id, moves) write, as the live writes would
    have; puts overwrite, items no longer due are deleted, so running it twice writes the same items.
    Returns how many items the day now holds."""
    counters: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted: dict[str, Any] = {}
    for case_id, m in moved:
        for name, value in m.counts.items():
            counters[shard_of(case_id)][name] += value
        for duration in m.durations:
            wanted[time_key(duration)] = StatsItem(stats_key(unit, day), time_key(duration), minutes=duration.minutes)
    for shard, counts in counters.items():
        wanted[count_key(shard)] = StatsItem(stats_key(unit, day), count_key(shard), **counts)
    stale = [item for item in StatsItem.query(stats_key(unit, day), consistent_read=True) if item.sk not in wanted]
    with StatsItem.batch_write() as batch:
        for item in wanted.values():
            batch.save(item)
        for item in stale:
            batch.delete(item)
    return len(wanted)
