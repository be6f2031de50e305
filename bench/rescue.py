"""One-click rescue on one local stack: how long finding the nearest standby trucks takes, and how
long a tap waits for its first offer, each against a plain request measured in the same run.

8. Nearest-candidate lookup. `fleet.nearest_standby(pickup, rules)` (the FindCandidates step's
   search: widening rings of geohash cells, one Query per cell on the sparse gsi1) at random
   pickups in Yancheng, against the unit: one gsi1 Query of a partition holding one truck (a
   reference truck standing alone in its geohash-4 cell, far from the city), through the same
   PynamoDB model. Measured twice: with the 49 seeded trucks, then after BENCH_RESCUE_TRUCKS
   (default 10,000) synthetic standby trucks were written into the same area. Each lookup's
   Query calls and the items they returned are counted in an untimed pass over the same pickups.
9. Tap → first offer. POST /cases (dispatcher), then the tap: POST /cases/{id}/rescue with the
   party's token, then GET /cases/{id}/rescue/{orderId} as that party until the order shows an
   offer. The offer is then cancelled (its truck goes back on standby) and the stack left to
   deliver the tap's webhook and notices before the next tap, so every tap sees the same fleet
   and a quiet stack. Done before the 10,000 trucks are written: moto's TransactWriteItems
   deep-copies the whole table per transaction item, which would measure moto, not the app.
"""

from __future__ import annotations

import gc
import math
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.api import running_stack

# Yancheng's urban area, where the seeded trucks stand (33.25-33.45 N, 120.04-120.29 E).
AREA = ((33.25, 33.50), (120.00, 120.30))
SEED = 2026
WARMUP = 5
POLL_SECONDS = 0.01  # pause between two GETs of the order while waiting for its first offer
OFFER_DEADLINE = 30.0
# A standby truck alone in its geohash-4 partition (Nanjing, far from every other truck): the
# unit Query reads exactly one item.
REFERENCE = {"truckId": "BENCHREF", "lat": 32.0603, "lng": 118.7969}
BATCH = 25


@dataclass
class Reads:
    """What one lookup read: Query calls (pages) on gsi1, items returned, rings searched."""

    queries: int = 0
    items: int = 0
    rings: int = 0


@dataclass
class LookupPhase:
    trucks: int  # standby trucks in the area
    table_items: int  # every item in the table (moto's Query reads them all, see the report)
    lookup: list[float]
    unit: list[float]  # one gsi1 Query of the reference truck's partition (1 item)
    get: list[float]  # one GetItem of the reference truck (consistent), for context
    reads: list[Reads]
    found: list[int]  # candidates returned per lookup


@dataclass
class TapResults:
    create: list[float] = field(default_factory=list)  # POST /cases round trip
    tap: list[float] = field(default_factory=list)  # POST /cases/{id}/rescue round trip
    first_offer: list[float] = field(default_factory=list)  # tap sent → a GET shows the offer
    server: list[float] = field(default_factory=list)  # order's requestedAt → offer's offeredAt
    polls: list[int] = field(default_factory=list)
    distances: list[int] = field(default_factory=list)
    standby_before: int = 0
    standby_after: int = 0


@dataclass
class RescueResults:
    candidates: int
    precisions: list[int]
    small: LookupPhase
    large: LookupPhase
    taps: TapResults
    write_seconds: float


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: with 100 samples, the fifth slowest."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _pickups(rng: random.Random, count: int) -> list[Any]:
    from chalicelib.domain.geo import Point

    (south, north), (west, east) = AREA
    return [Point(round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5)) for _ in range(count)]


def _truck(truck_id: str, lat: float, lng: float, plate: str) -> Any:
    from chalicelib.domain import dispatch
    from chalicelib.store import fleet
    from chalicelib.store.models import TowTruckItem

    truck = TowTruckItem(*fleet.truck_key(truck_id), truck_id=truck_id, plate=plate, company="基准测试救援车队",
                         status=dispatch.STANDBY, lat=lat, lng=lng)
    truck.version = 1  # as a first save() would leave it
    fleet.index(truck)
    return truck


def _write_trucks(count: int, rng: random.Random) -> float:
    """`count` synthetic standby trucks spread uniformly over the area, in batches of 25."""
    from chalicelib.store.models import TowTruckItem

    (south, north), (west, east) = AREA
    started = time.perf_counter()
    with TowTruckItem.batch_write() as batch:
        for i in range(count):
            lat, lng = round(rng.uniform(south, north), 5), round(rng.uniform(west, east), 5)
            batch.save(_truck(f"BT{i:05d}", lat, lng, f"苏J{i:05d}挂"))
    return time.perf_counter() - started


def _standby(partitions: set[str]) -> int:
    """Standby trucks in these gsi1 partitions (one Query each, untimed)."""
    from chalicelib.store.models import TowTruckItem

    return sum(1 for pk in partitions for _ in TowTruckItem.gsi1.query(pk))


def _table_items() -> int:
    from chalicelib.integrations.aws import client

    return int(client("dynamodb").describe_table(TableName=os.environ["TABLE_NAME"])["Table"]["ItemCount"])


@contextmanager
def _counting(reads: Reads) -> Iterator[None]:
    """Count this thread's gsi1 Query calls and the items they return; and the rings searched."""
    from botocore.client import BaseClient

    from chalicelib.store import fleet

    original_call = BaseClient._make_api_call  # type: ignore[attr-defined]
    original_rings = fleet.standby_in
    me = threading.get_ident()

    def call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        reply = original_call(client, operation, params)
        if threading.get_ident() == me and operation == "Query" and params.get("IndexName") == "gsi1":
            reads.queries += 1
            reads.items += int(reply.get("Count", 0))
        return reply

    def rings(cells: Any) -> Any:
        reads.rings += 1
        return original_rings(cells)

    setattr(BaseClient, "_make_api_call", call)  # noqa: B010
    fleet.standby_in = rings  # type: ignore[assignment]
    try:
        yield
    finally:
        setattr(BaseClient, "_make_api_call", original_call)  # noqa: B010
        fleet.standby_in = original_rings  # type: ignore[assignment]


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _lookups(pickups: list[Any], rules: Any, reference: Any, trucks: int) -> LookupPhase:
    """Lookups, unit Queries and GetItems interleaved (the order rotates), after a warm-up."""
    from chalicelib.store import fleet
    from chalicelib.store.models import TowTruckItem

    def unit() -> None:
        found = list(TowTruckItem.gsi1.query(reference.gsi1pk, TowTruckItem.gsi1sk.startswith(reference.geohash)))
        assert len(found) == 1, found

    def get() -> None:
        assert fleet.get(reference.truck_id) is not None

    found: list[int] = []

    def lookup(point: Any) -> Callable[[], None]:
        return lambda: found.append(len(fleet.nearest_standby(point, rules)))

    for point in pickups[:WARMUP]:
        unit()
        get()
        lookup(point)()
    found.clear()
    gc.collect()
    timings: dict[str, list[float]] = {"lookup": [], "unit": [], "get": []}
    for i, point in enumerate(pickups):
        steps = [("lookup", lookup(point)), ("unit", unit), ("get", get)]
        for name, action in steps[i % 3 :] + steps[: i % 3]:
            timings[name].append(_timed(action))
    reads = []
    for point in pickups:  # untimed: what each lookup read
        counted = Reads()
        with _counting(counted):
            fleet.nearest_standby(point, rules)
        reads.append(counted)
    return LookupPhase(trucks=trucks, table_items=_table_items(), lookup=timings["lookup"], unit=timings["unit"],
                       get=timings["get"], reads=reads, found=found)


def _taps(session: Any, url: str, taps: int, rng: random.Random, partitions: set[str]) -> TapResults:
    from bench.determination import _wait_until_quiet
    from tests.factories import case_body, staff_token

    dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=os.environ['TOKEN_SECRET'])}"}
    results = TapResults(standby_before=_standby(partitions))
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
        order_id = reply.json()["orderId"]
        polls, order = 0, reply.json()
        while not order["offers"]:
            if time.perf_counter() - started > OFFER_DEADLINE:
                raise RuntimeError(f"no offer on {order_id} within {OFFER_DEADLINE:.0f} s: {order['status']}")
            time.sleep(POLL_SECONDS)
            polled = session.get(f"{url}/cases/{case_id}/rescue/{order_id}", headers=auth)
            assert polled.status_code == 200, polled.text
            order, polls = polled.json(), polls + 1
        first_offer = time.perf_counter() - started
        offer = order["offers"][0]
        cancelled = session.post(f"{url}/cases/{case_id}/rescue/{order_id}/cancel", json={}, headers=auth)
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED", cancelled.text
        if i:
            results.create.append(create)
            results.tap.append(tapped)
            results.first_offer.append(first_offer)
            results.polls.append(polls)
            results.distances.append(int(offer["distanceM"]))
            results.server.append(_seconds_between(order["requestedAt"], offer["offeredAt"]))
        _wait_until_quiet()  # the tap's webhook and notices delivered, the sandbox insurer's answer applied
    results.standby_after = _standby(partitions)
    return results


def _seconds_between(earlier: str, later: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def run(lookups: int, taps: int, trucks: int) -> RescueResults:
    from chalicelib.domain import geo
    from chalicelib.services.rescue import rules as dispatch_rules
    from chalicelib.store.models import TowTruckItem

    rng = random.Random(SEED)
    rules = dispatch_rules()
    pickups = _pickups(rng, lookups + WARMUP)
    (south, north), (west, east) = AREA
    corners = [geo.Point(lat, lng) for lat in (south, north) for lng in (west, east)]
    partitions = {f"TOWGEO#{geo.partition_of(geo.encode(c))}" for c in corners}  # the area's gsi1 partitions
    with running_stack("rescue") as (stack, session):
        reference = _truck(REFERENCE["truckId"], REFERENCE["lat"], REFERENCE["lng"], "苏A00000")
        with TowTruckItem.batch_write() as batch:
            batch.save(reference)
        seeded = _standby(partitions)
        small = _lookups(pickups, rules, reference, seeded)
        tapped = _taps(session, stack.url, taps, rng, partitions)
        write_seconds = _write_trucks(trucks, rng)
        time.sleep(1.0)  # let the snapshotter start its save of the larger table; the warm-up waits for it
        large = _lookups(pickups, rules, reference, _standby(partitions))
    return RescueResults(candidates=rules.candidates, precisions=list(rules.search_precisions), small=small,
                         large=large, taps=tapped, write_seconds=write_seconds)
