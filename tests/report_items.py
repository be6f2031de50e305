"""Seeds a unit's report figures by writing items in the layout of /work/s5_interfaces.md (Reports):
partition `STATS#<unit>#<YYYY-MM-DD>`, counter shards `COUNT#<nn>` (a Number per figure) and
duration items `TIME#<figure>#<caseId>` (`minutes`). Tests may spell keys; the app never does
outside chalicelib/store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any


def stats_items(unit: str, day: date, counts: Mapping[str, int], durations: Mapping[str, Sequence[float]],
                shards: int = 4) -> list[dict[str, Any]]:
    """The day's items: each count spread over `shards` counter shards (as writers pick shards per
    change), each duration an item of its own."""
    pk = {"S": f"STATS#{unit}#{day.isoformat()}"}
    shard_values: list[dict[str, int]] = [{} for _ in range(shards)]
    for name, total in counts.items():
        for n in range(shards):
            share = total // shards + (1 if n < total % shards else 0)
            if share:
                shard_values[n][name] = share
    items = [
        {"pk": pk, "sk": {"S": f"COUNT#{n:02d}"}, **{name: {"N": str(v)} for name, v in values.items()}}
        for n, values in enumerate(shard_values) if values
    ]
    for figure, minutes in durations.items():
        for i, value in enumerate(minutes):
            items.append({"pk": pk, "sk": {"S": f"TIME#{figure}#C{day:%Y%m%d}{i:05d}"}, "minutes": {"N": repr(float(value))}})
    return items


def seed_day(unit: str, day: date, counts: Mapping[str, int] | None = None,
             durations: Mapping[str, Sequence[float]] | None = None, shards: int = 4) -> None:
    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings

    dynamodb = client("dynamodb")
    items = stats_items(unit, day, counts or {}, durations or {}, shards)
    for start in range(0, len(items), 25):
        dynamodb.batch_write_item(
            RequestItems={get_settings().table_name: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        )
