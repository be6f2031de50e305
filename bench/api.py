"""POST /cases and GET /cases/{id} over HTTP against a local stack started for the run, with the
AWS calls each request makes and the same DynamoDB calls replayed bare with boto3.

Everything runs in this process: the local stack serves moto (the local AWS) and the Chalice app
from its own threads; the HTTP client is this (main) thread, with keep-alive `requests.Session`s.

The headline is our own time per request: the server's time minus what the request waited on
AWS (botocore's before-call → after-call, `bench/recorder.py`), against a budget. Against moto the
wait is 80-480 ms a call, so "request / the same calls made bare" sits near 1.0 whatever our code
does: it is kept as a diagnostic only.

Requests go back to back on their keep-alive connection, as a client sending N requests would.
Fairness of the comparison with the bare calls:
- the work is done in blocks of CHUNK back-to-back requests, then a block of bare replays, in an
  order that rotates, so both see the same table, the same background work (the stack's state snapshots) and the same machine load;
- moto's TransactWriteItems deep-copies the whole table once per transaction item, so its cost
  grows with the number of items. The cases a block creates are deleted after it, untimed, so
  every block starts from the same table (seed data plus the few GET cases); moto's instance
  tracking (which keeps every table copy alive, see `_forget_moto_instances`) is cleared too;
- the replays use a plain `boto3.client("dynamodb")` with default settings, pointed at the same
  endpoint; the parameters are the ones recorded from a real request (ReturnConsumedCapacity and
  all), with a fresh case id for writes and the target case's id for reads.
"""

from __future__ import annotations

import cProfile
import functools
import gc
import io
import json
import os
import pstats
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from bench import replay
from bench.recorder import Recorder, RequestRecord

GET_CASES = 10  # cases created before the timed runs, read round-robin by the GETs
CHUNK = 10  # requests (or bare replays) back to back in one block
WARMUP = 5
HEALTH_DEADLINE = 30.0
TARGET = 1.5  # request / bare calls: a diagnostic since the own-time budget (below) is the headline
# Our own time per request (median, seconds): routing, auth, validation, PynamoDB (de)serialisation,
# the SDK's request building, logging. Issue 17 measured 2-7 ms.
OWN_BUDGET = {"POST /cases": 0.010, "GET /cases/{id}": 0.008}
SHIPPED = "as shipped"
VARIANTS = (SHIPPED,)


@dataclass
class Sample:
    total: float  # seconds, measured by the HTTP client
    record: RequestRecord  # what the server saw


@dataclass
class Phase:
    name: str
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {v: [] for v in VARIANTS})
    bares: list[float] = field(default_factory=list)  # the same DynamoDB calls, bare
    errors: Counter[str] = field(default_factory=Counter)
    probe: RequestRecord | None = None  # the instrumented request the replays copy
    profile: str | None = None

    def totals(self, variant: str) -> list[float]:
        return [s.total for s in self.samples[variant]]

    def server(self, variant: str) -> list[float]:
        return [s.record.seconds for s in self.samples[variant]]

    def aws(self, variant: str) -> list[float]:
        return [s.record.aws_seconds for s in self.samples[variant]]

    def app_only(self, variant: str) -> list[float]:
        return [s.record.seconds - s.record.aws_seconds for s in self.samples[variant]]

    def own(self, variant: str = SHIPPED) -> list[float]:
        """Server time minus the wait on AWS (the SDK's own work counts as ours)."""
        return [s.record.own_seconds for s in self.samples[variant]]

    def signatures(self) -> Counter[tuple[tuple[str, int], ...]]:
        """How often each multiset of calls (operation -> count, in first-call order) was seen."""
        seen: Counter[tuple[tuple[str, int], ...]] = Counter()
        for samples in self.samples.values():
            for sample in samples:
                labels = [_label(c.service, c.operation) for c in sample.record.calls]
                counts = Counter(labels)
                seen[tuple((label, counts[label]) for label in dict.fromkeys(labels))] += 1
        return seen

    @property
    def requests(self) -> int:
        return sum(len(s) for s in self.samples.values())


@dataclass
class ApiResults:
    n: int
    post: Phase
    get: Phase


def _label(service: str, operation: str) -> str:
    return operation if service == "dynamodb" else f"{service}.{operation}"


def _two_free_ports() -> tuple[int, int]:
    from infra.local.stack import free_port

    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def _wait_healthy(session: Any, url: str) -> None:
    """The stack is ready when start() returns; this only confirms it, within a deadline."""
    import requests

    deadline = time.monotonic() + HEALTH_DEADLINE
    last: str = "no answer"
    while time.monotonic() < deadline:
        try:
            reply = session.get(f"{url}/health", timeout=5)
            if reply.status_code == 200:
                return
            last = f"HTTP {reply.status_code}: {reply.text[:200]}"
        except requests.RequestException as error:
            last = repr(error)
        time.sleep(0.02)  # back-off between failed probes only; the first probe normally succeeds
    raise RuntimeError(f"local stack not healthy after {HEALTH_DEADLINE:.0f} s: {last}")


def _silence_app_log() -> Callable[[], None]:
    """The app writes one JSON log line per request to stdout: keep the work (formatting,
    scrubbing, a write) but send the lines to /dev/null. Returns what undoes it."""
    from chalicelib.observability import logger

    handler: Any = cast(Any, logger).registered_handler
    sink = open(os.devnull, "w", encoding="utf-8")  # closed by the returned function
    previous = handler.setStream(sink)

    def restore() -> None:
        handler.setStream(previous)
        sink.close()

    return restore


def _delete_case(client: Any, table: str, case_id: str) -> None:
    """The case's partition and its audit log's, so that the table does not grow with the runs."""
    from chalicelib.store.audit import log_key
    from chalicelib.store.case_items import case_key

    keys = []
    for partition in (case_key(case_id), log_key(case_id)):
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = client.query(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": partition}},
                ProjectionExpression="pk, sk",
                ConsistentRead=True,
                **extra,
            )
            keys.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    for i in range(0, len(keys), 25):
        pending: dict[str, Any] = {table: [{"DeleteRequest": {"Key": key}} for key in keys[i : i + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _forget_moto_instances() -> None:
    """moto's BaseModel.__new__ appends every model instance it ever makes to a class-level list
    (for its /moto-api dashboard), deep copies included: each TransactWriteItems leaves one full
    copy of the table per transaction item behind, so memory and the garbage collector's full
    passes grow without bound. Clearing the lists between blocks keeps the process stationary."""
    from moto.core.model_instances import reset_model_data

    reset_model_data()


_STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _area(filename: str) -> str | None:
    """Which library (or stdlib module) a profiled function belongs to; None for built-ins."""
    if filename.startswith("~") or filename.startswith("<"):
        return None
    parts = Path(filename).parts
    if "site-packages" in parts:
        package = parts[parts.index("site-packages") + 1]
        return package.removesuffix(".py").split(".")[0].rstrip("_").replace("pydantic_core", "pydantic")
    for own in ("chalicelib", "bench", "tests"):
        if own in parts:
            return own
    if Path(filename).name == "app.py":
        return "app"
    try:
        inside = Path(filename).relative_to(_STDLIB).parts
    except ValueError:
        return Path(filename).stem
    return f"stdlib {inside[0].removesuffix('.py')}"


def _profile_text(profiler: cProfile.Profile, requests: int, lines: int = 15) -> str:
    """Own time (tottime) per area, built-ins charged to their callers, then the top functions."""
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    per_area: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, callers) in raw.items():
        area = _area(filename)
        if area is not None:
            per_area[area] += own
            continue
        edges = {c: v[2] for c, v in callers.items()}  # own time spent on behalf of each caller
        share = sum(edges.values())
        for caller, spent in edges.items():
            per_area[_area(caller[0]) or "built-ins"] += own * (spent / share if share else 0.0)
        if not edges:
            per_area["built-ins"] += own
    total = sum(per_area.values()) or 1.0
    out = io.StringIO()
    out.write(f"own time per request under the profiler: {total / requests * 1000:.2f} ms "
              "(profiling inflates it; the shares are what matter)\n")
    for area, seconds in per_area.most_common(12):
        out.write(f"  {area:<24} {seconds / requests * 1000:7.3f} ms  {seconds / total:6.1%}\n")
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run(n: int, profile_n: int = 0) -> ApiResults:
    import boto3
    import requests

    from infra.local.stack import LocalStack

    aws_port, port = _two_free_ports()
    recorder = Recorder().install()
    with tempfile.TemporaryDirectory(prefix="yunchetong-bench-") as state_dir:
        stack = LocalStack(state_dir=Path(state_dir), port=port, aws_port=aws_port)
        stack.start()
        # The blocks' cases are deleted after them; their notices would fail on "no such case". In AWS
        # the deliverer is another function.
        stack.stop_deliverer()
        restore_log: Callable[[], None] = lambda: None  # noqa: E731
        try:
            restore_log = _silence_app_log()
            from chalicelib.domain.ids import new_case_id
            from tests.factories import case_body, staff_token

            secret = os.environ["TOKEN_SECRET"]
            table = os.environ["TABLE_NAME"]
            dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}",
                          "Content-Type": "application/json"}
            officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}
            sessions = {SHIPPED: requests.Session()}
            _wait_healthy(sessions[SHIPPED], stack.url)
            bare = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])

            def post(variant: str) -> Any:
                body = json.dumps(case_body(), ensure_ascii=False).encode("utf-8")
                return lambda: sessions[variant].post(f"{stack.url}/cases", data=body, headers=dispatcher)

            def get(variant: str, case_id: str) -> Any:
                return lambda: sessions[variant].get(f"{stack.url}/cases/{case_id}", headers=officer)

            # Untimed: the cases the GETs read, warm-up, and one captured request of each kind.
            targets = []
            for _ in range(GET_CASES):
                reply = post(SHIPPED)()
                reply.raise_for_status()
                targets.append(reply.json()["caseId"])
            for i in range(WARMUP):
                get(SHIPPED, targets[i % len(targets)])().raise_for_status()
            recorder.capture = True
            reply = post(SHIPPED)()
            reply.raise_for_status()
            probe_post, probe_post_case = recorder.last(), reply.json()["caseId"]
            get(SHIPPED, targets[0])().raise_for_status()
            probe_get = recorder.last()
            recorder.capture = False
            _delete_case(bare, table, probe_post_case)
            post_replay = replay.Replay(list(probe_post.calls), case_id=probe_post_case)
            get_replay = replay.Replay(list(probe_get.calls), case_id=targets[0])
            for i in range(WARMUP):
                fresh = new_case_id(datetime.now(UTC))
                replay.run(bare, post_replay.prepared(fresh))
                _delete_case(bare, table, fresh)
                replay.run(bare, get_replay.prepared(targets[i % len(targets)]))

            # Long-lived objects (moto's and botocore's service models, the app's modules: ~300k here)
            # go to the permanent generation, so the collector's full passes during the timed runs
            # scan only what the runs themselves create. A Lambda process holds no moto at all.
            gc.collect()
            gc.freeze()
            phases = {"post": Phase("POST /cases", probe=probe_post), "get": Phase("GET /cases/{id}", probe=probe_get)}
            steps = [*VARIANTS, "bare"]
            for kind, phase in phases.items():
                expected = 201 if kind == "post" else 200
                for chunk, first in enumerate(range(0, n, CHUNK)):
                    indexes = range(first, min(first + CHUNK, n))
                    for step in steps[chunk % 2 :] + steps[: chunk % 2]:  # rotate which block goes first
                        created: list[str] = []
                        for i in indexes:
                            target = targets[i % len(targets)]
                            if step == "bare":
                                fresh = new_case_id(datetime.now(UTC)) if kind == "post" else target
                                prepared = post_replay.prepared(fresh) if kind == "post" else get_replay.prepared(fresh)
                                seconds, _ = _timed(functools.partial(replay.run, bare, prepared))
                                phase.bares.append(seconds)
                                if kind == "post":
                                    created.append(fresh)
                                continue
                            action = post(step) if kind == "post" else get(step, target)
                            seconds, reply = _timed(action)
                            phase.samples[step].append(Sample(seconds, recorder.last()))
                            if reply.status_code != expected:
                                phase.errors[f"{step}: HTTP {reply.status_code}"] += 1
                            elif kind == "post":
                                created.append(reply.json()["caseId"])
                        for case_id in created:  # untimed: every block starts from the same table
                            _delete_case(bare, table, case_id)
                        _forget_moto_instances()

            if profile_n:
                # Separate, untimed pass: the profiler slows what it watches. Only the API's request
                # thread is profiled, and not inside its AWS calls: this is the app's own cost.
                recorder.profiler = cProfile.Profile()
                for _ in range(profile_n):
                    reply = post(SHIPPED)()
                    if reply.status_code == 201:
                        _delete_case(bare, table, reply.json()["caseId"])
                phases["post"].profile = _profile_text(recorder.profiler, profile_n)
                recorder.profiler = cProfile.Profile()
                for i in range(profile_n):
                    get(SHIPPED, targets[i % len(targets)])()
                phases["get"].profile = _profile_text(recorder.profiler, profile_n)
                recorder.profiler = None
            for session in sessions.values():
                session.close()
            return ApiResults(n=n, post=phases["post"], get=phases["get"])
        finally:
            restore_log()
            gc.unfreeze()
            stack.stop()
            recorder.uninstall()


@contextmanager
def running_stack(name: str) -> Iterator[tuple[Any, Any]]:
    """A local stack in a temporary state folder on free ports, app log silenced, and a
    keep-alive session to it: (stack, session). Stopped on the way out."""
    import requests

    from infra.local.stack import LocalStack

    aws_port, port = _two_free_ports()
    with tempfile.TemporaryDirectory(prefix=f"yunchetong-bench-{name}-") as state_dir:
        stack = LocalStack(state_dir=Path(state_dir), port=port, aws_port=aws_port).start()
        restore_log = _silence_app_log()
        try:
            session = requests.Session()
            _wait_healthy(session, stack.url)
            yield stack, session
        finally:
            restore_log()
            stack.stop()
