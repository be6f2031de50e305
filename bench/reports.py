"""Daily report on the local stack: the time of `services.reports.run` for one unit and one Beijing
day holding the report items of 100 cases and of 2,000 cases (section 11).

The day's STATS items are written directly (untimed), in the layout the counters keep (ADR 0027):
16 counter shards and one duration item per case and timed figure (evidence and letter for every
case; accept and arrive for one case in ten, a rescue order). The two days are far apart, so each
report's seven-day chart reads only its own busy day. Runs are interleaved (small, large, small, ...)
after one warm-up each. Each run reads 7 days (7 Queries; the busy day's pages), renders the PDF, CSV
and JSON, puts three objects and one item. The ratio large/small shows the cost per case: reading
and the histogram grow with the day's cases, rendering and publishing do not.
moto's Query reads every item of the table before applying the key, so both days pay for the
other's items here; in DynamoDB a Query costs by the items it returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from bench.api import running_stack
from bench.stats import median

UNIT = "320900"
SMALL_DAY, LARGE_DAY = date(2026, 9, 1), date(2026, 9, 20)
SHARDS = 16


@dataclass
class ReportResults:
    small: list[float] = field(default_factory=list)
    large: list[float] = field(default_factory=list)
    small_cases: int = 100
    large_cases: int = 2000
    read_small: list[float] = field(default_factory=list)
    read_large: list[float] = field(default_factory=list)
    queries: dict[str, int] = field(default_factory=dict)


def _seed(day: date, cases: int) -> None:
    import random

    from tests.report_items import seed_day

    rng = random.Random(cases)
    rescued = cases // 10
    seed_day(
        UNIT,
        day,
        {"casesReported": cases, "casesRemote": cases * 9 // 10, "lettersIssued": cases * 8 // 10, "rescueOrders": rescued,
         "insurerPaidFen": cases * 12_000, "fundAdvancedFen": cases * 1_500},
        {"minutesEvidence": [round(rng.uniform(0.5, 3), 2) for _ in range(cases)],
         "minutesToLetter": [round(rng.lognormvariate(1.4, 0.5), 2) for _ in range(cases)],
         "minutesToAccept": [round(rng.uniform(0.2, 4), 2) for _ in range(rescued)],
         "minutesToArrive": [round(rng.uniform(8, 40), 2) for _ in range(rescued)]},
        shards=SHARDS,
    )


def _timed(day: date) -> float:
    from chalicelib.domain.report_period import day as day_period
    from chalicelib.services import reports

    started = time.perf_counter()
    reports.run(None, day_period(day), UNIT)
    return time.perf_counter() - started


def _read(day: date) -> float:
    """Reading alone: the seven days' Queries the report makes, nothing rendered."""
    from chalicelib.domain.report_period import day as day_period
    from chalicelib.services import reports
    from chalicelib.store import report_reads

    started = time.perf_counter()
    report_reads.days_parts(UNIT, reports.chart_days(day_period(day)))
    return time.perf_counter() - started


def _queries(day: date) -> int:
    """The Queries the report's own thread makes (the stack's deliverer queries from its thread)."""
    import threading

    import botocore.client

    original = botocore.client.BaseClient._make_api_call
    made: list[str] = []
    mine = threading.get_ident()

    def counting(self, operation_name, params):  # type: ignore[no-untyped-def]
        if threading.get_ident() == mine:
            made.append(operation_name)
        return original(self, operation_name, params)

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        _timed(day)
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
    return made.count("Query")


def run(runs: int) -> ReportResults:
    result = ReportResults()
    with running_stack("reports") as _:
        _seed(SMALL_DAY, result.small_cases)
        _seed(LARGE_DAY, result.large_cases)
        _timed(SMALL_DAY), _timed(LARGE_DAY)  # warm-up: imports, fonts, connections
        for _ in range(runs):
            result.small.append(_timed(SMALL_DAY))
            result.large.append(_timed(LARGE_DAY))
            result.read_small.append(_read(SMALL_DAY))
            result.read_large.append(_read(LARGE_DAY))
        result.queries = {"small": _queries(SMALL_DAY), "large": _queries(LARGE_DAY)}
    return result


def report(result: ReportResults) -> list[str]:
    small, large = median(result.small), median(result.large)
    return [
        f"11. Daily report on the local stack (ms; services.reports.run for one unit, n={len(result.small)} each, interleaved)",
        f"  {result.small_cases} cases: median {small * 1000:.0f} ({result.queries.get('small', 0)} Queries); "
        f"{result.large_cases} cases: median {large * 1000:.0f} ({result.queries.get('large', 0)} Queries)",
        f"  ratio {large / small:.2f}x for {result.large_cases / result.small_cases:.0f}x the cases "
        f"(about {(large - small) / (result.large_cases - result.small_cases) * 1e6:.0f} µs per extra case)",
        f"  of which reading the 7 days: {median(result.read_small) * 1000:.0f} and {median(result.read_large) * 1000:.0f} "
        "(each day's partition holds a duration item per case; the rest is rendering the PDF, CSV, JSON and putting them)",
    ]
