"""POST /cases and GET /cases/{id} over HTTP against a local stack started for the run, with the
DynamoDB calls each request makes and the same calls replayed bare with boto3.

Everything runs in this process: the local stack serves moto (the local AWS) and the Chalice app
from threads; the client is this (main) thread, with a keep-alive `requests.Session`.

Fairness of the comparison:
- request and bare replay alternate (which one goes first alternates too), so both see the same
  table, the same background work (the stack's state snapshots) and the same machine load;
- moto's TransactWriteItems deep-copies the whole table on every call, so its cost grows with the
  number of items. Every case a timed POST (or its replay) creates is deleted again, untimed, so
  the table stays at the seed data plus the GET cases for the whole run;
- the replays use a plain `boto3.client("dynamodb")` with default settings, pointed at the same
  endpoint; the parameters are the ones recorded from a real request (ReturnConsumedCapacity and
  all), with a fresh case id for writes and the target case's id for reads.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import replay
from bench.recorder import Recorder, RequestRecord

GET_CASES = 20  # cases created before the timed runs, read round-robin by the GETs
WARMUP = 5
HEALTH_DEADLINE = 30.0
TARGET = 1.5


@dataclass
class Sample:
    total: float  # seconds, measured by the HTTP client
    bare: float  # the same DynamoDB calls, bare
    record: RequestRecord


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)
    probe: RequestRecord | None = None  # the instrumented request the replays copy
    profile: str | None = None

    def totals(self) -> list[float]:
        return [s.total for s in self.samples]

    def bares(self) -> list[float]:
        return [s.bare for s in self.samples]

    def server(self) -> list[float]:
        return [s.record.seconds for s in self.samples]

    def aws(self) -> list[float]:
        return [s.record.aws_seconds for s in self.samples]

    def app_only(self) -> list[float]:
        return [s.record.seconds - s.record.aws_seconds for s in self.samples]

    def signatures(self) -> Counter[tuple[tuple[str, int], ...]]:
        """How often each multiset of calls (service.Operation -> count) was seen."""
        seen: Counter[tuple[tuple[str, int], ...]] = Counter()
        for sample in self.samples:
            ops = Counter(_label(c.service, c.operation) for c in sample.record.calls)
            seen[tuple(sorted(ops.items(), key=lambda kv: _first_index(sample.record, kv[0])))] += 1
        return seen


@dataclass
class ApiResults:
    n: int
    post: Phase
    get: Phase


def _label(service: str, operation: str) -> str:
    return operation if service == "dynamodb" else f"{service}.{operation}"


def _first_index(record: RequestRecord, label: str) -> int:
    return next(i for i, c in enumerate(record.calls) if _label(c.service, c.operation) == label)


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


def _silence_app_log() -> None:
    """The app writes one JSON log line per request to stdout: keep the work, drop the output."""
    from chalicelib.observability import logger

    logger.registered_handler.setStream(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def _delete_case(client: Any, table: str, case_id: str) -> None:
    keys = []
    start: dict[str, Any] | None = None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = client.query(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}},
            ProjectionExpression="pk, sk",
            ConsistentRead=True,
            **extra,
        )
        keys.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    for i in range(0, len(keys), 25):
        chunk = [{"DeleteRequest": {"Key": key}} for key in keys[i : i + 25]]
        pending: dict[str, Any] = {table: chunk}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _profile_text(profiler: cProfile.Profile, lines: int = 30) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def run(n: int, profile_n: int = 0) -> ApiResults:
    import boto3
    import requests

    from infra.local.stack import LocalStack

    aws_port, port = _two_free_ports()
    recorder = Recorder().install()
    with tempfile.TemporaryDirectory(prefix="yunchetong-bench-") as state_dir:
        stack = LocalStack(state_dir=Path(state_dir), port=port, aws_port=aws_port)
        stack.start()
        try:
            _silence_app_log()
            from chalicelib.domain.ids import new_case_id
            from tests.factories import case_body, staff_token

            secret = os.environ["TOKEN_SECRET"]
            table = os.environ["TABLE_NAME"]
            dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}",
                          "Content-Type": "application/json"}
            officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}
            session = requests.Session()
            _wait_healthy(session, stack.url)
            bare = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])

            def post() -> tuple[float, Any]:
                body = json.dumps(case_body(), ensure_ascii=False).encode("utf-8")
                started = time.perf_counter()
                reply = session.post(f"{stack.url}/cases", data=body, headers=dispatcher)
                return time.perf_counter() - started, reply

            def get(case_id: str) -> tuple[float, Any]:
                started = time.perf_counter()
                reply = session.get(f"{stack.url}/cases/{case_id}", headers=officer)
                return time.perf_counter() - started, reply

            # Untimed: the cases the GETs read, warm-up, and one captured request of each kind.
            targets = []
            for _ in range(GET_CASES):
                _, reply = post()
                reply.raise_for_status()
                targets.append(reply.json()["caseId"])
            for i in range(WARMUP):
                get(targets[i % len(targets)])[1].raise_for_status()
            recorder.capture = True
            _, reply = post()
            reply.raise_for_status()
            probe_post = recorder.last()
            probe_post_case = reply.json()["caseId"]
            _, reply = get(targets[0])
            reply.raise_for_status()
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

            post_phase = Phase("POST /cases", probe=probe_post)
            for i in range(n):
                fresh = new_case_id(datetime.now(UTC))
                prepared = post_replay.prepared(fresh)
                bare_first = i % 2 == 1
                if bare_first:
                    started = time.perf_counter()
                    replay.run(bare, prepared)
                    bare_seconds = time.perf_counter() - started
                total, reply = post()
                record = recorder.last()
                if not bare_first:
                    started = time.perf_counter()
                    replay.run(bare, prepared)
                    bare_seconds = time.perf_counter() - started
                if reply.status_code != 201:
                    post_phase.errors[reply.status_code] += 1
                else:
                    _delete_case(bare, table, reply.json()["caseId"])
                _delete_case(bare, table, fresh)
                post_phase.samples.append(Sample(total, bare_seconds, record))

            get_phase = Phase("GET /cases/{id}", probe=probe_get)
            for i in range(n):
                target = targets[i % len(targets)]
                prepared = get_replay.prepared(target)
                bare_first = i % 2 == 1
                if bare_first:
                    started = time.perf_counter()
                    replay.run(bare, prepared)
                    bare_seconds = time.perf_counter() - started
                total, reply = get(target)
                record = recorder.last()
                if not bare_first:
                    started = time.perf_counter()
                    replay.run(bare, prepared)
                    bare_seconds = time.perf_counter() - started
                if reply.status_code != 200:
                    get_phase.errors[reply.status_code] += 1
                get_phase.samples.append(Sample(total, bare_seconds, record))

            if profile_n:
                # Separate, untimed pass: the profiler slows what it watches. Only the API's request
                # thread is profiled (moto's server thread is not), so this is the app's own cost.
                recorder.profiler = cProfile.Profile()
                for _ in range(profile_n):
                    _, reply = post()
                    if reply.status_code == 201:
                        _delete_case(bare, table, reply.json()["caseId"])
                post_phase.profile = _profile_text(recorder.profiler)
                recorder.profiler = cProfile.Profile()
                for i in range(profile_n):
                    get(targets[i % len(targets)])
                get_phase.profile = _profile_text(recorder.profiler)
                recorder.profiler = None
            session.close()
            return ApiResults(n=n, post=post_phase, get=get_phase)
        finally:
            stack.stop()
            recorder.uninstall()
