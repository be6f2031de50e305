"""From "evidence complete" to "letter stored": the system's share of the parties' five minutes.

For each case: report it, upload and verify every required shot over HTTP (presigned PUTs to
the local S3), then the officer determines liability at once. The officer's thinking time is
not the system's, so the figure is the determination request itself: deciding, rendering the
PDF, storing it write-once, one transaction, over HTTP. Also: rendering one letter alone, and
the DynamoDB calls each evidence completion makes (the request a party waits on for each shot).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import letter_split
from bench.api import running_stack
from bench.failure import SectionFailed
from bench.recorder import Recorder
from bench.stats import p99
from chalicelib.domain.file_signatures import JPEG_START

TARGET_SECONDS = 0.3  # issue 17: evidence complete → letter stored, system time, locally (median)


@dataclass
class DeterminationResults:
    cases: int
    request_seconds: list[float]
    render_seconds: list[float]
    first_delivery_seconds: list[float]
    deliverer_period: float
    # DynamoDB operations of each POST /cases/{id}/evidence/{id}/complete, the last shot of a case apart
    completion_calls: list[Counter[str]] = field(default_factory=list)
    closing_calls: list[Counter[str]] = field(default_factory=list)
    splits: list[dict[str, float]] = field(default_factory=list)  # bench/letter_split.py, per determination
    determination_calls: list[Counter[str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return statistics.median(self.request_seconds) <= TARGET_SECONDS


def _render_alone(samples: int) -> list[float]:
    from chalicelib.documents.model import LetterData, PartyLine
    from chalicelib.documents.render import render_letter

    now = datetime.now(UTC)
    party = PartyLine("甲方", "陈晓梅", "320902198803120042", "13905101234", "机动车", "小型轿车", "苏J6M821",
                      "中国人民财产保险股份有限公司", "PDZA202632090001234", "车辆前部", "全部责任", "待签字")
    letter = LetterData("盐公交简认字〔2026〕第YC000号", "盐城市公安局交通警察支队", "320917", now, now, "解放南路", "晴", "追尾碰撞",
                        "追尾：追撞前车尾部的", "陈晓梅追撞前车尾部。", (party, party), now.date(), now.date() + timedelta(days=14), "http://x/verify/D")
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        render_letter(letter)
        timings.append(time.perf_counter() - started)
    return timings


def awaiting_determination(stack: Any, session: Any, dispatcher: dict[str, str], body: dict[str, Any],
                           recorder: Recorder | None = None, completions: list[Counter[str]] | None = None) -> dict[str, Any]:
    """A case reported over HTTP with every required shot uploaded and verified: the officer's queue.
    With a recorder, each completion's DynamoDB calls are appended to `completions`."""
    created: dict[str, Any] = session.post(f"{stack.url}/cases", json=body, headers=dispatcher).json()
    case_id, party = created["caseId"], created["parties"][0]
    auth = {"Authorization": f"Bearer {party['token']}"}
    checklist = session.get(f"{stack.url}/cases/{case_id}", headers=auth).json()["evidence"]["checklist"]
    for slot in checklist:
        photo = JPEG_START + os.urandom(64_000)  # a JPEG's start: the server checks the bytes are the declared type
        declared = {"kind": slot["kind"], "partyId": slot["partyId"], "contentType": "image/jpeg",
                    "size": len(photo), "sha256": hashlib.sha256(photo).hexdigest(),
                    "capturedAt": datetime.now(UTC).isoformat(), "lat": 33.38, "lng": 120.15}
        upload = session.post(f"{stack.url}/cases/{case_id}/evidence", json=declared, headers=auth).json()
        session.put(upload["upload"]["url"], data=photo, headers=upload["upload"]["headers"]).raise_for_status()
        if recorder is not None:
            recorder.install()
        try:
            done = session.post(f"{stack.url}/cases/{case_id}/evidence/{upload['evidenceId']}/complete", headers=auth)
        finally:
            if recorder is not None:
                recorder.uninstall()
        if recorder is not None and completions is not None:
            completions.append(Counter(c.operation for c in recorder.last().calls if c.service == "dynamodb"))
    assert done.json()["caseStatus"] == "AWAITING_DETERMINATION", done.text
    return created


def run(cases: int) -> DeterminationResults:
    """The figures as far as they got: a failure raises SectionFailed carrying the report so far."""
    from tests.factories import case_body, staff_token

    timings: list[float] = []
    first_delivery: list[float] = []
    completions: list[Counter[str]] = []
    closings: list[Counter[str]] = []
    splits: list[dict[str, float]] = []
    determining: list[Counter[str]] = []
    recorder = Recorder()

    def results() -> DeterminationResults:
        return DeterminationResults(
            cases=max(0, len(timings) - 1),
            request_seconds=timings[1:],
            render_seconds=_render_alone(max(cases, 5)),
            first_delivery_seconds=first_delivery[1:],
            deliverer_period=LocalStack.deliver_every,
            completion_calls=completions,
            closing_calls=closings,
            splits=splits[1:],
            determination_calls=determining[1:],
        )

    from infra.local.stack import LocalStack

    try:
        with running_stack("determination") as (stack, session):
            secret = os.environ["TOKEN_SECRET"]
            dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}"}
            officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}
            for _ in range(cases + 1):  # the first is warm-up
                created = awaiting_determination(stack, session, dispatcher, case_body(), recorder, completions)
                case_id, party = created["caseId"], created["parties"][0]
                closings.append(completions.pop())
                body = {"scenario": "REAR_END", "atFaultPartyId": party["partyId"], "facts": "甲方追撞乙方车辆尾部。"}
                with letter_split.splitting(recorder) as split:
                    started = time.perf_counter()
                    reply = session.post(f"{stack.url}/cases/{case_id}/determination", json=body, headers=officer)
                    elapsed = time.perf_counter() - started
                    assert reply.status_code == 201, reply.text
                    splits.append(split())
                    determining.append(Counter(c.operation for c in recorder.last().calls if c.service == "dynamodb"))
                timings.append(elapsed)
                first_delivery.append(_until_first_attempt(case_id, started + elapsed) - started)
    except Exception as error:
        if len(first_delivery) < len(timings):
            first_delivery.append(float("nan"))  # the case whose delivery was not seen
        raise SectionFailed(report(results()) if len(timings) > 1 else []) from error
    return results()


def _wait_until_quiet(deadline_seconds: float = 60.0) -> None:
    """Let the previous case's background work finish (its notices and webhooks delivered, the
    sandbox insurers' answers applied): in AWS those run in other functions, here they share
    this process and its two cores, so measuring over them would measure them."""
    from chalicelib.store import outbox
    from chalicelib.store.cases import iso, utcnow

    deadline = time.perf_counter() + deadline_seconds
    while time.perf_counter() < deadline:
        if next(outbox.pending(due_by=iso(utcnow())), None) is None:
            time.sleep(1.5)  # the sandbox's scripted answers follow a delivery by up to ~1.5 s
            if next(outbox.pending(due_by=iso(utcnow())), None) is None:
                return
        time.sleep(0.05)


def _until_first_attempt(case_id: str, since: float, deadline_seconds: float = 30.0) -> float:
    """When the deliverer's first attempt for this case was logged (polled, with a deadline)."""
    from chalicelib.store import deliveries

    deadline = since + deadline_seconds
    while time.perf_counter() < deadline:
        if any(d.case_id == case_id for d in deliveries.page("PICC", 20)[0]):
            return time.perf_counter()
        time.sleep(0.005)
    raise RuntimeError(f"no delivery attempt for {case_id} within {deadline_seconds} s")


def _calls_line(what: str, samples: list[Counter[str]]) -> str:
    totals = [sum(s.values()) for s in samples]
    common = Counter(tuple(sorted(s.items())) for s in samples).most_common(1)[0][0] if samples else ()
    return (f"  {what}: median {statistics.median(totals):.0f} DynamoDB calls, max {max(totals)} (n={len(samples)}); "
            f"most often {', '.join(f'{op} {n}' for op, n in common)}")


def _split_lines(result: DeterminationResults) -> list[str]:
    if not result.splits:
        return []
    server = statistics.median(s["server"] for s in result.splits)
    lines = [f"  split of the request on the server (medians over n={len(result.splits)}, ms; share of the server median "
             f"{server * 1000:.1f}):"]
    for part in letter_split.PARTS:
        value = statistics.median(s[part] for s in result.splits)
        lines.append(f"    {part:<44} {value * 1000:7.1f}  {value / server:6.1%}")
    return lines


def report(result: DeterminationResults) -> list[str]:
    ms = [s * 1000 for s in result.request_seconds]
    render = [s * 1000 for s in result.render_seconds]
    delivery = [s * 1000 for s in result.first_delivery_seconds]
    verdict = "PASS" if result.passed else "FAIL"
    return [
        f"5. Evidence complete → letter stored (POST /cases/{{id}}/determination over HTTP, n={result.cases}, ms)",
        f"  median {statistics.median(ms):.1f}   p99 {p99(ms):.1f}   max {max(ms):.1f}   "
        f"median / target {statistics.median(result.request_seconds) / TARGET_SECONDS:.2f}x "
        f"(target <= 1.00x, {TARGET_SECONDS * 1000:.0f} ms): {verdict}",
        *_split_lines(result),
        f"  rendering one letter alone (in process, warm): median {statistics.median(render):.1f}, p99 {p99(render):.1f}",
        _calls_line("  DynamoDB calls of a determination", result.determination_calls) if result.determination_calls else "",
        "  (the officer's own decision time is not counted: it is not the system's)",
        "",
        "4. Evidence completion (POST /cases/{id}/evidence/{id}/complete over HTTP)",
        _calls_line("a shot", result.completion_calls),
        _calls_line("the shot that completes the checklist", result.closing_calls),
        "",
        f"6. Determination → first webhook delivery attempt to the insurer (local stack, n={result.cases}, ms)",
        f"  median {statistics.median(delivery):.1f}   p99 {p99(delivery):.1f}   max {max(delivery):.1f}   "
        f"(the local deliverer polls every {result.deliverer_period * 1000:.0f} ms; in AWS a schedule runs it every minute)",
    ]
