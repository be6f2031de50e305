"""The AWS cost of one full case (report → evidence → letter → claims paid → rescue), from counted
calls and list prices; target (issue 17) at most $0.0007 a case.

Each case runs over HTTP against the local stack as parties, officer, insurer sandbox and tow
driver do: reported by a dispatcher, its checklist read and every shot uploaded (presigned PUT)
and completed, liability determined (the letter), the sandbox insurer paying every claim through
its webhooks, then a rescue tapped, taken, arrived at and completed. The bench waits between steps
by reading the store itself, uncounted, so the only requests counted are the ones the case needs.
`bench/cost_meter.py` counts every AWS call on every thread and prices each DynamoDB item with
DynamoDB's rules; the first case warms the stack and is not counted.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench import dynamodb_units as units
from bench.cost_meter import Charge, CostMeter, Invocation
from chalicelib.domain.file_signatures import JPEG_START

TARGET_DOLLARS = 0.0007  # issue 17: a full case, counted calls × list price

# On-demand list prices, us-east-1, as published on 2026-11-30 (DynamoDB's since the cut of 1 Nov 2024).
PRICES_AS_OF = "2026-11-30"
PRICE = {
    "dynamodb write unit": 0.625 / 1e6,
    "dynamodb read unit": 0.125 / 1e6,
    "s3 PUT-class request": 0.005 / 1e3,  # PUT, COPY, POST, LIST (and object lock's PutObjectRetention)
    "s3 GET-class request": 0.0004 / 1e3,  # GET, HEAD and the rest; DELETE is free
    "step functions state transition": 0.025 / 1e3,  # standard workflows
    "lambda request": 0.20 / 1e6,
    "lambda GB-second": 0.0000166667,  # x86
    "api gateway request": 3.50 / 1e6,  # REST API, first 333 million a month
}
S3_FREE = {"DeleteObject", "DeleteObjectVersion"}
S3_PUT_CLASS = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "ListObjectVersions",
                "PutObjectRetention", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}
MEMORY_GB = {"api": 1.0}  # infra/cdk/api.py; every other function has 512 MB
OTHER_MEMORY_GB = 0.5
AWS_CALL_SECONDS = 0.010  # what an AWS call is assumed to take inside Lambda (moto's take 80-480 ms)
WAIT_SECONDS = 60.0


@dataclass
class CaseCost:
    charges: list[Charge]
    invocations: list[Invocation]
    calls: list[tuple[str, str, str]]
    transitions: int
    browser_puts: int  # presigned uploads: S3 PUTs the bench's HTTP client makes, not botocore


@dataclass
class CostResults:
    cases: list[CaseCost] = field(default_factory=list)
    scheduled_seconds: float = 0.0
    scheduled_charges: list[Charge] = field(default_factory=list)
    largest: dict[str, dict[str, Any]] = field(default_factory=dict)  # item type → the largest item written


def _wait(what: str, condition: Any) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not within {WAIT_SECONDS:.0f} s")


def _case(case_id: str) -> Any:
    from chalicelib.store.cases import load

    return load(case_id)


def _full_case(stack: Any, session: Any, meter: CostMeter) -> int:
    """One case, start to end; returns the presigned uploads it made."""
    from chalicelib.store import outbox
    from chalicelib.store.cases import iso, utcnow
    from tests.factories import case_body, staff_token, tow_token

    secret = os.environ["TOKEN_SECRET"]
    dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}"}
    officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}

    def ok(reply: Any, status: int = 200) -> dict[str, Any]:
        assert reply.status_code == status, reply.text
        return dict(reply.json())

    created = ok(session.post(f"{stack.url}/cases", json=case_body(), headers=dispatcher), 201)
    case_id, party = created["caseId"], created["parties"][0]
    auth = {"Authorization": f"Bearer {party['token']}"}
    uploads = 0
    for slot in ok(session.get(f"{stack.url}/cases/{case_id}", headers=auth))["evidence"]["checklist"]:
        photo = JPEG_START + os.urandom(64_000)  # a JPEG's start: the server checks the bytes are the declared type
        declared = {"kind": slot["kind"], "partyId": slot["partyId"], "contentType": "image/jpeg", "size": len(photo),
                    "sha256": hashlib.sha256(photo).hexdigest(), "capturedAt": datetime.now(UTC).isoformat(),
                    "lat": 33.38, "lng": 120.15}
        upload = ok(session.post(f"{stack.url}/cases/{case_id}/evidence", json=declared, headers=auth), 201)
        session.put(upload["upload"]["url"], data=photo, headers=upload["upload"]["headers"]).raise_for_status()
        uploads += 1
        ok(session.post(f"{stack.url}/cases/{case_id}/evidence/{upload['evidenceId']}/complete", headers=auth))
    body = {"scenario": "REAR_END", "atFaultPartyId": party["partyId"], "facts": "甲方追撞乙方车辆尾部。"}
    ok(session.post(f"{stack.url}/cases/{case_id}/determination", json=body, headers=officer), 201)
    with meter.uncounted():
        _wait("every claim paid", lambda: (claims := _case(case_id).claims) and all(c.status == "PAID" for c in claims))
    pickup = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}
    order_id = ok(session.post(f"{stack.url}/cases/{case_id}/rescue", json={"pickup": pickup, "destination": "RP01"},
                               headers=auth), 201)["orderId"]
    with meter.uncounted():
        offer = _wait("an offer", lambda: (order := _case(case_id).rescue(order_id)) and order.offers and order.offers[0])
    driver = {"Authorization": f"Bearer {tow_token(offer.truck_id)}"}
    ok(session.post(f"{stack.url}/tow/orders/{order_id}/accept", headers=driver), 202)
    with meter.uncounted():
        _wait("the truck assigned", lambda: _case(case_id).rescue(order_id).status == "ASSIGNED")
    ok(session.post(f"{stack.url}/tow/orders/{order_id}/arrived", json={}, headers=driver))
    ok(session.post(f"{stack.url}/tow/orders/{order_id}/completed", json={"dropoff": "RP02"}, headers=driver))
    ok(session.get(f"{stack.url}/cases/{case_id}", headers=auth))  # the party's last look
    with meter.uncounted():
        _wait("the runs ended", lambda: all(_run_status(arn) != "RUNNING" for arn in meter.executions))
        _wait("the outbox delivered", lambda: next(outbox.pending(due_by=iso(utcnow())), None) is None)
        time.sleep(2.0)  # the sandbox's answers to the last deliveries
        _wait("the outbox delivered", lambda: next(outbox.pending(due_by=iso(utcnow())), None) is None)
    return uploads


def _run_status(arn: str) -> str | None:
    from chalicelib.integrations import workflows

    return workflows.status(arn)


def _transitions(arns: list[str]) -> int:
    """Standard workflows bill each state entered."""
    from chalicelib.integrations.aws import client

    entered = 0
    for arn in arns:
        pages = client("stepfunctions").get_paginator("get_execution_history").paginate(executionArn=arn)
        entered += sum(1 for page in pages for event in page["events"] if event["type"].endswith("StateEntered"))
    return entered


def run(cases: int) -> CostResults:
    from bench.api import running_stack
    from infra.local.stack import REGION

    meter = CostMeter(REGION).install()
    results = CostResults()
    try:
        with running_stack("cost") as (stack, session):
            for number in range(cases + 1):  # the first warms the stack
                meter.reset()
                started = time.monotonic()
                uploads = _full_case(stack, session, meter)
                with meter.uncounted():
                    transitions = _transitions(meter.executions)
                if number:
                    results.cases.append(CaseCost([c for c in meter.charges if c.origin == "case"], list(meter.invocations),
                                                  [c for c in meter.calls if c[2] == "case"], transitions, uploads))
                    results.scheduled_seconds += time.monotonic() - started
                    results.scheduled_charges.extend(c for c in meter.charges if c.origin == "scheduled")
                    results.largest = dict(meter.largest)
    finally:
        meter.uninstall()
    return results


# --- the figures ------------------------------------------------------------------------------


def dollars(case: CaseCost) -> dict[str, float]:
    writes = sum(c.write_units + c.index_write_units for c in case.charges)
    reads = sum(c.read_units for c in case.charges)
    s3 = Counter(op for service, op, _ in case.calls if service == "s3" and op not in S3_FREE)
    puts = sum(n for op, n in s3.items() if op in S3_PUT_CLASS) + case.browser_puts
    gets = sum(n for op, n in s3.items() if op not in S3_PUT_CLASS)
    gb_seconds = sum(i.billed_seconds(AWS_CALL_SECONDS) * MEMORY_GB.get(i.function, OTHER_MEMORY_GB) for i in case.invocations)
    api = sum(1 for i in case.invocations if i.function == "api")
    return {
        "DynamoDB writes": writes * PRICE["dynamodb write unit"],
        "DynamoDB reads": reads * PRICE["dynamodb read unit"],
        "S3 requests": puts * PRICE["s3 PUT-class request"] + gets * PRICE["s3 GET-class request"],
        "Step Functions": case.transitions * PRICE["step functions state transition"],
        "Lambda": len(case.invocations) * PRICE["lambda request"] + gb_seconds * PRICE["lambda GB-second"],
        "API Gateway": api * PRICE["api gateway request"],
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def by_item_type(cases: list[CaseCost]) -> dict[str, dict[str, float]]:
    """Per item type, per case: writes (items written), write units (table, indexes), read units."""
    table: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for case in cases:
        for charge in case.charges:
            row = table[charge.item_type]
            if charge.write_units:
                row["writes"] += 1 / len(cases)
                row["table WU"] += charge.write_units / len(cases)
                row["index WU"] += charge.index_write_units / len(cases)
            row["RU"] += charge.read_units / len(cases)
    return table


def _top_writers(cases: list[CaseCost], count: int = 8) -> list[tuple[str, float, float]]:
    """(operation and item type, write units a case, items a case), most units first."""
    units: dict[str, float] = defaultdict(float)
    items: dict[str, float] = defaultdict(float)
    for case in cases:
        for charge in case.charges:
            if charge.write_units:
                units[f"{charge.operation} {charge.item_type}"] += (charge.write_units + charge.index_write_units) / len(cases)
                items[f"{charge.operation} {charge.item_type}"] += 1 / len(cases)
    return [(name, value, items[name]) for name, value in sorted(units.items(), key=lambda kv: -kv[1])[:count]]


def report(result: CostResults) -> list[str]:
    cases = result.cases
    if not cases:
        return ["12. Cost of a full case: no case measured"]
    costs = [dollars(case) for case in cases]
    parts = {name: _mean([c[name] for c in costs]) for name in costs[0]}
    total = sum(parts.values())
    writes = _mean([sum(c.write_units for c in case.charges) for case in cases])
    index_writes = _mean([sum(c.index_write_units for c in case.charges) for case in cases])
    reads = _mean([sum(c.read_units for c in case.charges) for case in cases])
    verdict = "PASS" if total <= TARGET_DOLLARS else "FAIL"
    lines = [
        f"12. Cost of a full case (report → letter → claims paid → rescue), counted calls × list price "
        f"(on-demand, us-east-1, prices of {PRICES_AS_OF}; n={len(cases)})",
        f"  ${total:.6f} a case, target <= ${TARGET_DOLLARS:.4f}: {total / TARGET_DOLLARS:.2f}x: {verdict}",
        *(f"    {name:<16} ${value:.6f}  {value / total:6.1%}" for name, value in parts.items()),
        f"  DynamoDB: {writes + index_writes:.0f} write units ({writes:.0f} table, {index_writes:.0f} indexes), "
        f"{reads:.1f} read units; Step Functions {_mean([c.transitions for c in cases]):.0f} state transitions; "
        f"{_mean([len(c.invocations) for c in cases]):.0f} Lambda invocations "
        f"({_mean([sum(1 for i in c.invocations if i.function == 'api') for c in cases]):.0f} API requests); "
        f"S3 {_mean([sum(1 for s, op, _ in c.calls if s == 's3') + c.browser_puts for c in cases]):.0f} requests",
        _s3_line(cases),
        "  items written a case, by type (writes, table WU, index WU, RU):",
    ]
    rows = sorted(by_item_type(cases).items(), key=lambda kv: -(kv[1]["table WU"] + kv[1]["index WU"] + kv[1]["RU"] / 4))
    for name, row in rows:
        lines.append(f"    {name:<28} {row['writes']:5.1f} {row['table WU']:7.1f} {row['index WU']:7.1f} {row['RU']:7.1f}")
    alone = [c for case in cases for c in case.charges if c.operation == "TransactWriteItems" and c.call_items == 1]
    lines.append(f"  transactions of a single item: {len(alone) / len(cases):.1f} a case, "
                 f"{sum(c.write_units for c in alone) / len(cases):.0f} WU (half of it the transaction's premium): "
                 + ", ".join(f"{name} {n / len(cases):.1f}" for name, n in Counter(c.item_type for c in alone).most_common()))
    lines.append("  top writers (write units a case, items):")
    lines.extend(f"    {name:<44} {value:7.1f} {items:5.1f}" for name, value, items in _top_writers(cases))
    lines.extend(_largest_lines(result.largest))
    per_minute = 60 / result.scheduled_seconds if result.scheduled_seconds else 0.0
    scheduled = sum(c.read_units for c in result.scheduled_charges) * per_minute
    lines.append(f"  not per case: the deliverer's scheduled round (a minute in AWS, half a second here) read "
                 f"{scheduled:.0f} units a minute locally; Lambda duration assumes {AWS_CALL_SECONDS * 1000:.0f} ms an AWS call")
    return lines


def s3_requests(cases: list[CaseCost]) -> dict[str, float]:
    """S3 requests a case by operation, the browsers' presigned PUTs included, most first."""
    counted = Counter(op for case in cases for service, op, _ in case.calls if service == "s3")
    counted["PutObject (presigned, browser)"] = sum(case.browser_puts for case in cases)
    return {op: n / len(cases) for op, n in counted.most_common() if n}


def _s3_line(cases: list[CaseCost]) -> str:
    def price(op: str) -> str:
        return "free" if op in S3_FREE else "PUT" if op.split(" ")[0] in S3_PUT_CLASS else "GET"

    return "  S3 requests a case by operation (price class): " + ", ".join(
        f"{op} {n:.1f} ({price(op)})" for op, n in s3_requests(cases).items())


def _largest_lines(largest: dict[str, dict[str, Any]], types: int = 3, attributes: int = 6) -> list[str]:
    """What makes the largest items large: their biggest attributes."""
    lines = ["  largest items written (bytes; their largest attributes):"]
    biggest = sorted(largest.items(), key=lambda kv: -units.item_size(kv[1]))[:types]
    for name, item in biggest:
        sizes = sorted(((a, units.item_size({a: v})) for a, v in item.items()), key=lambda kv: -kv[1])[:attributes]
        lines.append(f"    {name:<20} {units.item_size(item):6d}: " + ", ".join(f"{a} {n}" for a, n in sizes))
    return lines
