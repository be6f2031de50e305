"""One-click rescue on one local stack: how long a tap waits for its first offer, and how long
finding the nearest standby trucks takes, each against a plain request measured in the same run.

In this order, on one stack:
1. Tap → first offer (49 seeded trucks). POST /cases (dispatcher), then the tap: POST
   /cases/{id}/rescue with the party's token, then GET /cases/{id}/rescue/{orderId} as that
   party every POLL_SECONDS until the order shows an offer. The order is then cancelled (its
   truck goes back on standby), the stack left to deliver the tap's webhook and notices, and
   every item the tap added deleted (untimed): every tap sees the whole fleet, a quiet stack
   and the same table.
2. The outbox deliverer is stopped: each of its rounds (every 0.5 s) makes 16 Queries of the
   outbox's pending partitions, and its BatchGets (ADR 0040): beside the timed lookups it would keep a
   core busy (in AWS it is another function, once a minute).
3. Nearest-candidate lookup, 49 seeded trucks: `fleet.nearest_standby(pickup, rules)` (the
   FindCandidates step's search: a 3x3 block of geohash cells at the precision the observed
   density asks for, read as one to three runs, ADR 0024) at random pickups, interleaved with
   the units it is divided by.
4. BENCH_RESCUE_TRUCKS synthetic standby trucks (default 10,000) written over the same area.
5. The same lookup at the first BENCH_RESCUE_LOOKUPS_LARGE of the same pickups.

Units, each measured in the same phase: one gsi1 Query of a partition that holds one truck (a
reference truck alone in its geohash-4 cell, in Nanjing), through the same PynamoDB model: one
Query, one item. Beside it, for reading the ratio: one Query as the lookup makes them (the
pickup's geohash-6 cell), and one GetItem.

The taps come first, on the seeded table, because moto's TransactWriteItems deep-copies the
whole table once per transaction item: with 10,000 more items (or with every earlier tap's
case) it would measure moto, not the app.
"""

from __future__ import annotations

import gc
import math
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.api import running_stack

# Yancheng's urban area; the 49 seeded trucks stand within 33.25-33.45 N, 120.04-120.29 E.
AREA = ((33.25, 33.50), (120.00, 120.30))
SEED = 2026
WARMUP = 3  # lookups (and units) before the timed ones, in each phase
POLL_SECONDS = 0.05  # between two GETs of the order; polling faster takes the GIL from the run it waits for
OFFER_DEADLINE = 30.0
# The local stack saves its state (holding moto's lock) about 0.5 s after the last change.
SNAPSHOT_SECONDS = 1.0
# Long enough that a cancelled order's run never wakes during the bench: moto's StopExecution
# does not end a run waiting for a task token, which wakes at the offer timeout (default 120 s)
# and would then run in the middle of a later measurement. Only what happens after the first
# offer depends on it.
OFFER_SECONDS = "3600"
# A standby truck alone in its geohash-4 partition (Nanjing, far from every other truck).
REFERENCE_TRUCK = ("BENCHREF", 32.0603, 118.7969)
CELL_PRECISION = 6  # the lookup's first (finest) ring


@dataclass
class Reads:
    """What one lookup read: gsi1 Query calls (pages), the items they returned, rings searched."""

    queries: int = 0
    items: int = 0
    rings: int = 0


@dataclass
class LookupPhase:
    trucks: int  # standby trucks in the area
    table_items: int  # every item in the table: moto reads them all for each Query
    lookup: list[float] = field(default_factory=list)
    unit: list[float] = field(default_factory=list)  # gsi1 Query of the reference truck's partition: 1 item
    cell: list[float] = field(default_factory=list)  # gsi1 Query of the pickup's geohash-6 cell
    get: list[float] = field(default_factory=list)  # GetItem of the reference truck (consistent)
    reads: list[Reads] = field(default_factory=list)
    cell_items: list[int] = field(default_factory=list)
    found: list[int] = field(default_factory=list)  # candidates returned per lookup


@dataclass
class TapResults:
    create: list[float] = field(default_factory=list)  # POST /cases round trip
    tap: list[float] = field(default_factory=list)  # POST /cases/{id}/rescue round trip
    first_offer: list[float] = field(default_factory=list)  # tap sent → a GET shows the offer
    server: list[float] = field(default_factory=list)  # the order's requestedAt → the offer's offeredAt
    # The same span in three parts, from the run's history (moto's clock, the same process's):
    to_run: list[float] = field(default_factory=list)  # requestedAt → FindCandidates' Lambda task started
    find: list[float] = field(default_factory=list)  # FindCandidates' task: the lookup, then one transaction
    offer: list[float] = field(default_factory=list)  # OfferNext's task started → offeredAt (then its transaction)
    polls: list[int] = field(default_factory=list)
    distances: list[int] = field(default_factory=list)
    standby_before: int = 0
    standby_after: int = 0


@dataclass
class RescueResults:
    candidates: int
    precisions: list[int]
    taps: TapResults
    small: LookupPhase
    large: LookupPhase
    write_seconds: float


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: with 100 samples the fifth slowest; with 10, the slowest."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _pickups(rng: random.Random, count: int) -> list[Any]:
    from chalicelib.domain.geo import Point

    (south, north), (west, east) = AREA
    return [Point(round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5)) for _ in range(count)]


def _truck(truck_id: str, lat: float, lng: float, plate: str) -> Any:
    """A standby truck with its index keys set (`fleet.new_truck`), as a first save() leaves it."""
    from chalicelib.domain import dispatch
    from chalicelib.store import fleet

    truck = fleet.new_truck(truck_id, plate=plate, company="基准测试救援车队", status=dispatch.STANDBY, lat=lat, lng=lng)
    truck.version = 1
    return truck


def _write(trucks: Iterator[Any]) -> float:
    """BatchWriteItem, 25 trucks a call (PynamoDB's batch_write)."""
    from chalicelib.store.models import TowTruckItem

    started = time.perf_counter()
    with TowTruckItem.batch_write() as batch:
        for truck in trucks:
            batch.save(truck)
    return time.perf_counter() - started


def _synthetic(count: int, rng: random.Random) -> Iterator[Any]:
    """`count` standby trucks spread uniformly over the area (no fleet: the city's list is unchanged)."""
    (south, north), (west, east) = AREA
    for i in range(count):
        yield _truck(f"BT{i:05d}", round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5), f"苏J{i:05d}挂")


def _standby(partitions: set[str]) -> int:
    """Standby trucks in these gsi1 partitions (one Query each, untimed)."""
    from chalicelib.store.models import TowTruckItem

    return sum(1 for pk in partitions for _ in TowTruckItem.gsi1.query(pk))


def _keys() -> set[tuple[str, str]]:
    """Every (pk, sk) in the table (a Scan: the bench's own bookkeeping, untimed)."""
    from chalicelib.integrations.aws import client

    pages = client("dynamodb").get_paginator("scan").paginate(TableName=os.environ["TABLE_NAME"], ProjectionExpression="pk, sk")
    return {(item["pk"]["S"], item["sk"]["S"]) for page in pages for item in page["Items"]}


def _restore(keys: set[tuple[str, str]]) -> None:
    """Delete every item not in `keys`: what a tap left (its case, pointer, outbox, delivery log, local SMS)."""
    from chalicelib.integrations.aws import client

    dynamodb, table = client("dynamodb"), os.environ["TABLE_NAME"]
    extra = sorted(_keys() - keys)
    for i in range(0, len(extra), 25):
        pending: dict[str, Any] = {table: [{"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in extra[i : i + 25]]}
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _table_items() -> int:
    from chalicelib.integrations.aws import client

    return int(client("dynamodb").describe_table(TableName=os.environ["TABLE_NAME"])["Table"]["ItemCount"])


@contextmanager
def _counting(current: Callable[[], Reads | None]) -> Iterator[None]:
    """Count this thread's gsi1 Queries and the items they return into `current()` (if any), and
    the rings searched. A few microseconds per call, paid by the units too."""
    from botocore.client import BaseClient

    from chalicelib.store import fleet

    original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
    original_rings = fleet.standby_in
    me = threading.get_ident()

    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        reply = original_call(client, operation, params)
        reads = current()
        if reads is not None and operation == "Query" and params.get("IndexName") == "gsi1" and threading.get_ident() == me:
            reads.queries += 1
            reads.items += int(reply.get("Count", 0))
        return reply

    def rings(cells: Any, *args: Any) -> Any:
        reads = current()
        if reads is not None and threading.get_ident() == me:
            reads.rings += 1
        return original_rings(cells, *args)

    setattr(BaseClient, "_make_api_call", call)  # noqa: B010
    fleet.standby_in = rings  # type: ignore[assignment]
    try:
        yield
    finally:
        setattr(BaseClient, "_make_api_call", original_call)  # noqa: B010
        fleet.standby_in = original_rings  # type: ignore[assignment]


def _lookups(pickups: list[Any], rules: Any, reference: Any, partitions: set[str]) -> LookupPhase:
    """Lookups and the units interleaved at each pickup, the order rotating, after a warm-up."""
    from chalicelib.domain import geo
    from chalicelib.store import fleet
    from chalicelib.store.models import TowTruckItem

    phase = LookupPhase(trucks=_standby(partitions), table_items=_table_items())
    counting: list[Reads | None] = [None]

    def unit() -> None:
        found = list(TowTruckItem.gsi1.query(reference.gsi1pk, TowTruckItem.gsi1sk.startswith(reference.geohash)))
        assert len(found) == 1, found

    def cell(point: Any) -> Callable[[], None]:
        return lambda: phase.cell_items.append(len(fleet.standby_in([geo.encode(point, CELL_PRECISION)])))

    def get() -> None:
        assert fleet.get(reference.truck_id) is not None

    def lookup(point: Any) -> Callable[[], None]:
        def run() -> None:
            reads = counting[0] = Reads()
            phase.found.append(len(fleet.nearest_standby(point, rules)))
            phase.reads.append(reads)
            counting[0] = None

        return run

    for point in pickups[:WARMUP]:
        for action in (unit, cell(point), get, lookup(point)):
            action()
    phase.cell_items.clear()
    phase.found.clear()
    phase.reads.clear()
    gc.collect()
    gc.freeze()  # the stack's long-lived objects (moto's tables, botocore's models) out of the collector's way
    try:
        with _counting(lambda: counting[0]):
            for i, point in enumerate(pickups[WARMUP:]):
                steps = [(phase.lookup, lookup(point)), (phase.unit, unit), (phase.cell, cell(point)), (phase.get, get)]
                for timings, action in steps[i % 4 :] + steps[: i % 4]:
                    started = time.perf_counter()
                    action()
                    timings.append(time.perf_counter() - started)
    finally:
        gc.unfreeze()
    return phase


def _taps(session: Any, url: str, taps: int, rng: random.Random, partitions: set[str]) -> TapResults:
    from bench.determination import _wait_until_quiet
    from tests.factories import case_body, staff_token

    dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=os.environ['TOKEN_SECRET'])}"}
    results = TapResults(standby_before=_standby(partitions))
    before = _keys()
    for i in range(taps + 1):  # the first is warm-up
        pickup = _pickups(rng, 1)[0]
        started = time.perf_counter()
        created = session.post(f"{url}/cases", json=case_body(), headers=dispatcher)
        create = time.perf_counter() - started
        assert created.status_code == 201, created.text
        case_id, party = created.json()["caseId"], created.json()["parties"][0]
        auth = {"Authorization": f"Bearer {party['token']}"}
        body = {"pickup": {"lat": pickup.lat, "lng": pickup.lng, "address": "盐城市亭湖区基准测试路"}, "destination": None}
        started = time.perf_counter()
        reply = session.post(f"{url}/cases/{case_id}/rescue", json=body, headers=auth)
        tapped = time.perf_counter() - started
        assert reply.status_code == 201, reply.text
        order, polls = reply.json(), 0
        while not order["offers"]:
            if time.perf_counter() - started > OFFER_DEADLINE:
                raise RuntimeError(f"no offer on {order['orderId']} within {OFFER_DEADLINE:.0f} s: {order['status']}")
            time.sleep(POLL_SECONDS)
            polled = session.get(f"{url}/cases/{case_id}/rescue/{order['orderId']}", headers=auth)
            assert polled.status_code == 200, polled.text
            order, polls = polled.json(), polls + 1
        first_offer = time.perf_counter() - started
        offer = order["offers"][0]
        cancelled = session.post(f"{url}/cases/{case_id}/rescue/{order['orderId']}/cancel", json={}, headers=auth)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED", cancelled.text
        if i:
            results.create.append(create)
            results.tap.append(tapped)
            results.first_offer.append(first_offer)
            results.polls.append(polls)
            results.distances.append(int(offer["distanceM"]))
            results.server.append(_seconds_between(order["requestedAt"], offer["offeredAt"]))
            steps = _task_times(case_id, order["orderId"])
            results.to_run.append(_seconds_between(order["requestedAt"], steps[("FindCandidates", "TaskStarted")]))
            results.find.append(_seconds_between(steps[("FindCandidates", "TaskStarted")], steps[("FindCandidates", "TaskSucceeded")]))
            results.offer.append(_seconds_between(steps[("OfferNext", "TaskStarted")], offer["offeredAt"]))
        _wait_until_quiet()  # the tap's webhook and notices delivered, the sandbox insurer's answer applied
        _restore(before)  # every tap starts from the same table (see the module's notes)
        time.sleep(SNAPSHOT_SECONDS)  # the stack's state snapshot of those deletes, taken before the next tap
    results.standby_after = _standby(partitions)
    return results


def _task_times(case_id: str, order_id: str) -> dict[tuple[str, str], str]:
    """(state, event type) → when it first happened in the order's run (ISO), from its history."""
    from chalicelib.integrations import workflows
    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings
    from chalicelib.store import cases as store

    order, machine = store.load(case_id).rescue(order_id), get_settings().rescue_state_machine_arn
    assert order is not None and machine
    arn = workflows.execution_arn(machine, order.execution_name)
    times: dict[tuple[str, str], str] = {}
    state = ""
    for event in client("stepfunctions").get_execution_history(executionArn=arn)["events"]:
        state = event.get("stateEnteredEventDetails", {}).get("name", state)
        times.setdefault((state, event["type"]), event["timestamp"].isoformat())
    return times


def _seconds_between(earlier: str, later: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


@contextmanager
def _offer_seconds(value: str) -> Iterator[None]:
    from chalicelib.settings import reset_settings

    before = os.environ.get("RESCUE_OFFER_SECONDS")
    os.environ["RESCUE_OFFER_SECONDS"] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RESCUE_OFFER_SECONDS", None)
        else:
            os.environ["RESCUE_OFFER_SECONDS"] = before
        reset_settings()


def run(taps: int, lookups: int, lookups_large: int, trucks: int) -> RescueResults:
    from chalicelib.domain import geo
    from chalicelib.services.rescue.order import rules as dispatch_rules
    from chalicelib.store import fleet

    rng = random.Random(SEED)
    rules = dispatch_rules()
    pickups = _pickups(rng, WARMUP + max(lookups, lookups_large))
    (south, north), (west, east) = AREA
    corners = [geo.Point(lat, lng) for lat in (south, north) for lng in (west, east)]
    partitions = {fleet.standby_partition(c) for c in corners}  # the area's gsi1 partitions
    with _offer_seconds(OFFER_SECONDS), running_stack("rescue") as (stack, session):
        reference = _truck(*REFERENCE_TRUCK, plate="苏A00000")
        _write(iter([reference]))
        tapped = _taps(session, stack.url, taps, rng, partitions)
        stack.stop_deliverer()
        small = _lookups(pickups[: WARMUP + lookups], rules, reference, partitions)
        write_seconds = _write(_synthetic(trucks, rng))
        time.sleep(1.5)  # the snapshotter starts saving the larger table; the warm-up waits for it
        # As shipped (rescue.json `standbyPerKm2` 0.1): the search starts from the density the
        # searches before it observed (store/standby_density.py, ADR 0024), the warm-up's included.
        large = _lookups(pickups[: WARMUP + lookups_large], rules, reference, partitions)
    return RescueResults(candidates=rules.candidates, precisions=list(rules.search_precisions), taps=tapped,
                         small=small, large=large, write_seconds=write_seconds)
