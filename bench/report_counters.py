"""The extra write cost the report counters add to a determination (issue 15, ADR 0027).

Cases are taken to the officer's queue as in `bench.determination`; then the determination request
is made alternately with the counters (as shipped) and without them (`report_counters.record`
replaced by a no-op in this process, where the local stack's API runs), so the machine's noise falls
on both. Printed: the request's DynamoDB calls and the items its transaction writes, and its time,
each as a ratio to the determination without the counters. The counters ride in the case's own
TransactWriteItems, so the calls stay the same and the transaction grows by a few items.
"""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.api import running_stack
from bench.determination import awaiting_determination
from bench.recorder import Recorder
from bench.stats import p99


@dataclass
class Mode:
    seconds: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    transaction_items: list[int] = field(default_factory=list)


@dataclass
class CounterCost:
    cases: int
    with_counters: Mode
    without_counters: Mode


@contextmanager
def _counters(on: bool) -> Any:
    from chalicelib.store import report_counters

    kept = report_counters.record
    if not on:
        report_counters.record = lambda *_args, **_kwargs: None
    try:
        yield
    finally:
        report_counters.record = kept


def _probe(recorder: Recorder, send: Any) -> tuple[int, int]:
    """One request recorded: its DynamoDB calls and the items of its TransactWriteItems."""
    recorder.capture = True
    recorder.install()
    try:
        send()
    finally:
        recorder.uninstall()
    calls = [c for c in recorder.last().calls if c.service == "dynamodb"]
    items = sum(len((c.params or {}).get("TransactItems", [])) for c in calls if c.operation == "TransactWriteItems")
    return len(calls), items


def run(cases: int) -> CounterCost:
    from tests.factories import case_body, staff_token

    modes = {True: Mode(), False: Mode()}
    recorder = Recorder()
    with running_stack("counters") as (stack, session):
        secret = os.environ["TOKEN_SECRET"]
        dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}"}
        officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}
        # Alternately with and without: two to warm up (a process's first determination also reads
        # the reference data it then keeps), two recorded call by call, then the timed ones.
        for n in range(2 * cases + 4):
            on = n % 2 == 0
            created = awaiting_determination(stack, session, dispatcher, case_body())
            body = {"scenario": "REAR_END", "atFaultPartyId": created["parties"][0]["partyId"], "facts": "甲方追撞乙方车辆尾部。"}
            url = f"{stack.url}/cases/{created['caseId']}/determination"
            with _counters(on):
                if n < 2:
                    session.post(url, json=body, headers=officer).raise_for_status()
                    continue
                if n < 4:
                    calls, items = _probe(recorder, lambda u=url, b=body: session.post(u, json=b, headers=officer).raise_for_status())
                    modes[on].calls.append(calls)
                    modes[on].transaction_items.append(items)
                    continue
                started = time.perf_counter()
                reply = session.post(url, json=body, headers=officer)
                modes[on].seconds.append(time.perf_counter() - started)
                assert reply.status_code == 201, reply.text
    return CounterCost(cases=cases, with_counters=modes[True], without_counters=modes[False])


def report(result: CounterCost) -> list[str]:
    on, off = result.with_counters, result.without_counters
    on_ms, off_ms = [s * 1000 for s in on.seconds], [s * 1000 for s in off.seconds]
    calls_on, calls_off = statistics.median(on.calls), statistics.median(off.calls)
    items_on, items_off = statistics.median(on.transaction_items), statistics.median(off.transaction_items)
    return [
        f"Report counters' extra write cost on a determination (POST /cases/{{id}}/determination, n={result.cases} each way)",
        f"  DynamoDB calls: {calls_on:.0f} with counters, {calls_off:.0f} without (ratio {calls_on / calls_off:.2f})",
        f"  items in its TransactWriteItems: {items_on:.0f} with, {items_off:.0f} without (ratio {items_on / items_off:.2f})",
        f"  time, ms: median {statistics.median(on_ms):.1f} with, {statistics.median(off_ms):.1f} without "
        f"(ratio {statistics.median(on_ms) / statistics.median(off_ms):.2f}); p99 {p99(on_ms):.1f} with, {p99(off_ms):.1f} without",
    ]
