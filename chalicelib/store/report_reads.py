"""The read side of the report figures (issue 15): a unit's days as `Figures`.

Layout (written by `store/report_counters.py`, see ADR 0027): per police unit and Beijing day one
partition `STATS#<unit>#<YYYY-MM-DD>` holding counter shards (`COUNT#<nn>`, a Number per figure that
moved) and duration items (`TIME#<figure>#<caseId>[#<orderId>]`, `minutes`). A day costs one Query
of its partition (paged past 1 MB on a busy day), a month one Query per day: the cost of a report
follows the period and that period's cases, never the number of cases ever handled. No Scan.

A staff code is read as it is: a city-level code (ending 00) reads the items kept under its own
code, which is where the seed's single unit (320900) keeps them; summing its districts would be
one more Query per district and day when the city is split into units.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from chalicelib.domain.report_figures import COUNTED, TIMED, Figures, add_counts, figures
from chalicelib.store.report_counters import COUNT_PREFIX as COUNTER_PREFIX
from chalicelib.store.report_counters import TIME_PREFIX as DURATION_PREFIX
from chalicelib.store.report_counters import stats_key as day_key
from chalicelib.store.table import TableItem


def _items(unit: str, day: date) -> Iterator[dict[str, Any]]:
    connection = TableItem._get_connection().connection
    last_key = None
    while True:
        page = connection.query(TableItem.Meta.table_name, day_key(unit, day), exclusive_start_key=last_key)
        yield from page.get("Items", [])
        last_key = page.get("LastEvaluatedKey")
        if not last_key:
            return


def day_parts(unit: str, day: date) -> tuple[dict[str, int], dict[str, list[float]]]:
    """One Query of the unit's day: its counters summed over shards, its durations per timed figure."""
    shards: list[dict[str, int]] = []
    durations: dict[str, list[float]] = {name: [] for name in TIMED}
    for raw in _items(unit, day):
        sort_key = raw["sk"]["S"]
        if sort_key.startswith(COUNTER_PREFIX):
            shards.append({name: int(raw[name]["N"]) for name in COUNTED if name in raw})
        elif sort_key.startswith(DURATION_PREFIX):
            figure = sort_key[len(DURATION_PREFIX):].split("#", 1)[0]
            if figure in durations and "minutes" in raw:
                durations[figure].append(float(raw["minutes"]["N"]))
    return add_counts(shards), durations


Parts = tuple[dict[str, int], dict[str, list[float]]]


def days_parts(unit: str, days: list[date]) -> dict[date, Parts]:
    """Each day's parts, one Query per day."""
    return {day: day_parts(unit, day) for day in days}


def combine(parts: Iterable[Parts]) -> Parts:
    """Days' parts as one period's: counters summed, durations pooled (never an average of medians)."""
    counts: list[dict[str, int]] = []
    durations: dict[str, list[float]] = {name: [] for name in TIMED}
    for day_counts, day_durations in parts:
        counts.append(day_counts)
        for name, values in day_durations.items():
            durations[name].extend(values)
    return add_counts(counts), durations


def period_figures(unit: str, days: list[date]) -> Figures:
    """A day's or a month's figures: counters summed over its days, all its durations in one distribution."""
    return figures(*combine(day_parts(unit, day) for day in days))
