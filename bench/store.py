"""A local store that keeps its speed: POST /cases on the local stack with 2,000 and with 20,000
items in the table (issue 17 item 4, ADR 0035).

The table is filled with filler items (a partition each, written straight into moto's backend under
the stack's lock, untimed), then BENCH_STORE_POSTS cases are posted over HTTP at each size; each
case is deleted after it (untimed), so the size holds. The outbox deliverer is stopped first (as in
the rescue section): the deleted cases' notices would fail on "no such case", and in AWS it is
another function. For the before/after, the same at 2,000 items with moto's own TransactWriteItems
and Query (BENCH_STORE_POSTS_MOTO requests): at 20,000 one of its POSTs takes longer than the
client's 30 s timeout, so it is not measured there.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.api import _delete_case, _forget_moto_instances, running_stack
from bench.failure import SectionFailed

SIZES = (2_000, 20_000)
TARGET = 1.5
PATCHED = "patched (infra/local/moto_dynamodb.py)"
MOTO = "moto's own TransactWriteItems and Query"


@dataclass
class StoreResults:
    posts: int
    seconds: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    table_items: dict[int, int] = field(default_factory=dict)


def _backend_table() -> Any:
    from moto.backends import get_backend

    from infra.local.lambdas import LOCAL_ACCOUNT

    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ["AWS_REGION"]
    return get_backend("dynamodb")[LOCAL_ACCOUNT][region].get_table(os.environ["TABLE_NAME"])


def _fill_to(stack: Any, size: int) -> int:
    """Filler items (one partition each, a few attributes) until the table holds `size` items."""
    table = _backend_table()
    with stack._lock:  # as the local AWS server applies each request: one at a time
        filled = len(table)
        while filled < size:
            table.put_item({"pk": {"S": f"BENCHFILL#{filled:06d}"}, "sk": {"S": "FILL"},
                            "note": {"S": "filler item for the store benchmark " * 4}, "n": {"N": str(filled)}})
            filled += 1
    return len(table)


def _timed_posts(stack: Any, session: Any, count: int, headers: dict[str, str], bare: Any) -> list[float]:
    from tests.factories import case_body

    timings = []
    for _ in range(count):
        body = json.dumps(case_body(), ensure_ascii=False).encode("utf-8")
        started = time.perf_counter()
        reply = session.post(f"{stack.url}/cases", data=body, headers=headers)
        timings.append(time.perf_counter() - started)
        assert reply.status_code == 201, reply.text
        _delete_case(bare, os.environ["TABLE_NAME"], reply.json()["caseId"])
        _forget_moto_instances()
    return timings


@contextmanager
def _moto_own() -> Iterator[None]:
    """moto's own functions for a while (the before of the before/after)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    patched = DynamoDBBackend.transact_write_items, Table.query, Table.all_items
    DynamoDBBackend.transact_write_items = patched[0].moto_original  # type: ignore[attr-defined,method-assign]
    Table.query, Table.all_items = patched[1].moto_original, patched[2].moto_original  # type: ignore[attr-defined,method-assign]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items, Table.query, Table.all_items = patched  # type: ignore[method-assign]


def run(posts: int, moto_posts: int) -> StoreResults:
    import boto3

    from tests.factories import staff_token

    result = StoreResults(posts)
    try:
        with running_stack("store") as (stack, session):
            stack.stop_deliverer()
            headers = {"Authorization": f"Bearer {staff_token('dispatcher', secret=os.environ['TOKEN_SECRET'])}",
                       "Content-Type": "application/json"}
            bare = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
            _timed_posts(stack, session, 3, headers, bare)  # warm-up
            for size in SIZES:
                result.table_items[size] = _fill_to(stack, size)
                result.seconds[(PATCHED, size)] = _timed_posts(stack, session, posts, headers, bare)
                if size == SIZES[0] and moto_posts:
                    with _moto_own():
                        result.seconds[(MOTO, size)] = _timed_posts(stack, session, moto_posts, headers, bare)
    except Exception as error:
        raise SectionFailed(report(result)) from error
    return result


def report(result: StoreResults) -> list[str]:
    small, large = SIZES
    lines = [f"11. POST /cases on the local stack with {small:,} vs {large:,} items in the table (HTTP round trip, "
             "ms; each case deleted after it)"]
    for label in (PATCHED, MOTO):
        at_small, at_large = result.seconds.get((label, small)), result.seconds.get((label, large))
        if not at_small:
            continue
        row = f"  {label:<44} n={len(at_small):<3} at {small:,}: median {statistics.median(at_small) * 1000:7.1f}"
        if at_large:
            ratio = statistics.median(at_large) / statistics.median(at_small)
            verdict = ("PASS" if ratio <= TARGET else "FAIL") if label == PATCHED else "(before, for comparison)"
            row += (f"   at {large:,}: median {statistics.median(at_large) * 1000:7.1f}   ratio {ratio:.2f}x "
                    f"(target <= {TARGET}x) {verdict}")
        elif label == MOTO and result.seconds.get((PATCHED, small)):
            before = statistics.median(at_small) / statistics.median(result.seconds[(PATCHED, small)])
            row += f"   = {before:.1f}x the patched at {small:,} (before; at {large:,} over the 30 s timeout)"
        lines.append(row)
    lines.append(f"  table items measured: {', '.join(f'{n:,}' for n in result.table_items.values())} "
                 "(filler items, one partition each, plus the seed)")
    return lines
