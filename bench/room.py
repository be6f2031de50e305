"""Case room on the local stack: post → delivery to another member over the SSE feed, and the
cost of reading a case whose room is long.

1. Delivery: party 甲方 listens on `GET /cases/{id}/room/events` (its own thread, its own
   connection); party 乙方 posts BENCH_ROOM_POSTS texts one after another, each once the previous
   one arrived. Latency = from just before the POST is sent to the moment its event is read.
   The feed polls the room every 0.2 s (infra/local/room_events.py), which bounds it from below.
2. Read cost: two cases, one with 10 room messages and one with 1,000 (written untimed), then
   `GET /cases/{id}` of each, interleaved, BENCH_ROOM_READS times; the room lives on its own
   partition, so the ratio should be near 1; since ADR 0040 a case read takes its timeline's last 30
   entries from the audit log, which the 1,000-message room fills and the 10-message one does not.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field

from bench.api import running_stack
from bench.stats import median

DELIVERY_DEADLINE = 10.0


@dataclass
class RoomResults:
    delivery: list[float] = field(default_factory=list)
    lost: int = 0
    read_small: list[float] = field(default_factory=list)
    read_large: list[float] = field(default_factory=list)


def p90(values: list[float]) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]


def _listen(url: str, arrived: dict[str, float], ready: threading.Event, stop: threading.Event) -> None:
    import requests

    try:
        with requests.get(url, stream=True, timeout=(5, 60)) as reply:
            ready.set()
            for line in reply.iter_lines(chunk_size=1, decode_unicode=True):  # each line as it comes
                if stop.is_set():
                    return
                if line and line.startswith("data: "):
                    data = json.loads(line[len("data: "):])
                    if isinstance(data, dict) and data.get("text"):
                        arrived.setdefault(data["text"], time.perf_counter())
    except requests.RequestException:
        if not stop.is_set():  # a feed that broke while measuring: the posts after it count as lost
            raise


def _wait(condition, deadline: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.002)
    return False


def run(posts: int, reads: int, large: int = 1000, small: int = 10) -> RoomResults:
    from tests.factories import case_body, staff_token

    results = RoomResults()
    with running_stack("room") as (stack, session):
        dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=os.environ['TOKEN_SECRET'])}"}

        def new_case() -> dict:
            created = session.post(f"{stack.url}/cases", json=case_body(), headers=dispatcher)
            created.raise_for_status()
            return dict(created.json())

        def post(case: dict, who: int, text: str) -> None:
            reply = session.post(f"{stack.url}/cases/{case['caseId']}/room/messages", json={"text": text},
                                 headers={"Authorization": f"Bearer {case['parties'][who]['token']}"})
            reply.raise_for_status()

        live = new_case()
        arrived: dict[str, float] = {}
        ready, stop = threading.Event(), threading.Event()
        listener = threading.Thread(target=_listen, daemon=True, args=(
            f"{stack.url}/cases/{live['caseId']}/room/events?token={live['parties'][0]['token']}", arrived, ready, stop))
        listener.start()
        ready.wait(10)
        for i in range(posts + 3):  # the first three warm up
            text = f"第{i}条消息"
            sent = time.perf_counter()
            post(live, 1, text)
            if not _wait(lambda text=text: text in arrived, DELIVERY_DEADLINE):
                results.lost += 1
                continue
            if i >= 3:
                results.delivery.append(arrived[text] - sent)
        stop.set()

        short, long = new_case(), new_case()
        for i in range(small):
            post(short, i % 2, f"短{i}")
        for i in range(large):
            post(long, i % 2, f"长{i}")
        officer = {"Authorization": f"Bearer {staff_token('officer', secret=os.environ['TOKEN_SECRET'])}"}
        for _ in range(reads + 3):
            for case, samples in ((short, results.read_small), (long, results.read_large)):
                started = time.perf_counter()
                session.get(f"{stack.url}/cases/{case['caseId']}", headers=officer).raise_for_status()
                samples.append(time.perf_counter() - started)
        del results.read_small[:3], results.read_large[:3]
    return results


def report(result: RoomResults, small: int = 10, large: int = 1000) -> list[str]:
    ratio = median(result.read_large) / median(result.read_small)
    if not result.delivery:
        result.delivery = [float("nan")]
    return [
        f"10. Case room on the local stack (ms): post → delivered to another member over SSE (n={len(result.delivery)}, "
        f"lost {result.lost}); GET /cases/{{id}} by room length (n={len(result.read_small)} each, interleaved)",
        f"  delivery: median {median(result.delivery) * 1000:.0f}, p90 {p90(result.delivery) * 1000:.0f} "
        "(the local feed polls the room every 200 ms)",
        f"  GET /cases/{{id}}: {small} messages median {median(result.read_small) * 1000:.1f}, "
        f"{large} messages median {median(result.read_large) * 1000:.1f}; ratio {ratio:.2f}x (target near 1)",
    ]
