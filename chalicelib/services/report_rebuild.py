"""Rebuild a period's report figures from the cases' own records (issue 15, ADR 0027): to repair drift.

The cases come from their unit's day list (gsi2, one Query per day), from `look_back_days` before
the period to its end: a claim paid, a fund advance or a mediation weeks after the report still
falls in the period it happened in. Each case's audit log (its own partition, one Query) is
replayed through the same `report_moves.moves` the live writes use, so the rebuilt items equal the
kept ones; no Scan. Each day's STATS partition is then replaced: running it twice gives the same items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.report_moves import Event, Moves, moves
from chalicelib.store import audit, case_items, report_counters
from chalicelib.store import cases as case_store

# A generous bound on a rebuild (a quarter and some): it is a repair run, not a report.
MAX_DAYS = 100


@dataclass(frozen=True)
class Rebuilt:
    unit: str
    first_day: date
    last_day: date
    cases_read: int
    items_written: int


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def case_moves(case_id: str) -> list[Moves]:
    """Every move the case's recorded history made, as its live writes made them."""
    record = case_store.load(case_id)
    known = report_counters.facts(record.case, record.rescues)
    return [m for entry in audit.entries(case_id) if (m := moves(Event(entry.action, entry.detail, entry.at), known)) is not None]


def rebuild(unit: str, first_day: date, last_day: date) -> Rebuilt:
    if last_day < first_day:
        raise ValueError("the period ends before it starts")
    if (last_day - first_day).days >= MAX_DAYS:
        raise ValueError(f"rebuild at most {MAX_DAYS} days at a time")
    looked_at = _days(first_day - timedelta(days=report_counters.look_back_days()), last_day)
    case_ids = list(dict.fromkeys(case_id for day in looked_at for case_id in case_items.cases_on_day(unit, day.isoformat())))
    by_day: dict[date, list[tuple[str, Moves]]] = defaultdict(list)
    for case_id in case_ids:
        for m in case_moves(case_id):
            if m.unit == unit and first_day <= m.day <= last_day:
                by_day[m.day].append((case_id, m))
    written = sum(report_counters.replace_day(unit, day, by_day.get(day, [])) for day in _days(first_day, last_day))
    return Rebuilt(unit=unit, first_day=first_day, last_day=last_day, cases_read=len(case_ids), items_written=written)
