"""Injury direct pay on one local stack: how long the officer's approval takes to hand back the QR
code, and what a hospital's scan costs, split into the offline verification and the online
redemption, each as a ratio to one DynamoDB conditional write measured in the same run.

For each of BENCH_MEDICAL (default 20) determined injury cases (reported, shot and determined over
HTTP, untimed): Sun applies (POST /cases/{id}/medical), then timed:
1. Approval → QR issued: POST /medical/{id}/approve over HTTP, the reply carrying the signed token
   and the notice's document id (signing, rendering the notice, storing it write-once, one
   transaction, the notice to the party).
2. Offline verify: the token's signature, expiry and hospital checked in process against the
   published keys, VERIFY_REPEATS times per token (no I/O: what a hospital's own device can do).
3. Online redeem: `hospital.admit_by_qr` in process with the verification already done: one Query of
   the case, one TransactWriteItems (application, admission pointer, the redemption's conditional
   put, the audit entry, the party's notice).
4. The whole scan over HTTP (POST /hospital/scan), on a second application's token.
Unit: one PutItem conditional on attribute_not_exists, of a fresh small item, on the same table.

"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.api import running_stack
from bench.determination import awaiting_determination
from bench.stats import p99

VERIFY_REPEATS = 20


@dataclass
class MedicalResults:
    applications: int
    approve: list[float] = field(default_factory=list)
    verify: list[float] = field(default_factory=list)
    redeem: list[float] = field(default_factory=list)
    scan: list[float] = field(default_factory=list)
    unit: list[float] = field(default_factory=list)


def _determined(stack: Any, session: Any, dispatcher: dict[str, str], officer: dict[str, str]) -> dict[str, Any]:
    from tests.factories import injury_case_body

    created = awaiting_determination(stack, session, dispatcher, injury_case_body())
    body = {"scenario": "REVERSING", "atFaultPartyId": created["parties"][0]["partyId"], "facts": "甲方倒车撞到乙方。"}
    reply = session.post(f"{stack.url}/cases/{created['caseId']}/determination", json=body, headers=officer)
    assert reply.status_code == 201, reply.text
    return created


def _conditional_put() -> float:
    from chalicelib.integrations.aws import client

    item = {"pk": {"S": f"BENCH#{uuid.uuid4().hex}"}, "sk": {"S": "#BENCH"}}
    started = time.perf_counter()
    client("dynamodb").put_item(TableName=os.environ["TABLE_NAME"], Item=item, ConditionExpression="attribute_not_exists(pk)")
    return time.perf_counter() - started


def run(applications: int) -> MedicalResults:
    from chalicelib.contracts.medical import PresentedQr
    from chalicelib.domain.principals import Principal, Role
    from chalicelib.services.medical import grants, hospital
    from chalicelib.store import cases as store
    from tests.factories import staff_token

    results = MedicalResults(applications)
    hospital_principal = Principal(subject="hospital-YCH01", role=Role.HOSPITAL, org="YCH01")
    with running_stack("medical") as (stack, session):
        secret = os.environ["TOKEN_SECRET"]
        dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}"}
        officer = {"Authorization": f"Bearer {staff_token('officer', secret=secret)}"}
        scanner = {"Authorization": f"Bearer {staff_token('hospital', secret=secret, org='YCH01')}"}
        for index in range(applications + 1):  # the first is warm-up
            case = _determined(stack, session, dispatcher, officer)
            tokens = []
            for injured in case["parties"]:  # both people injured: one token to redeem in process, one over HTTP
                party = {"Authorization": f"Bearer {injured['token']}"}
                body = {"injuredPartyId": injured["partyId"], "hospitalCode": "YCH01", "injuryDescription": "手腕骨折"}
                applied = session.post(f"{stack.url}/cases/{case['caseId']}/medical", json=body, headers=party)
                assert applied.status_code == 201, applied.text
                started = time.perf_counter()
                approved = session.post(f"{stack.url}/medical/{applied.json()['applicationId']}/approve", headers=officer)
                elapsed = time.perf_counter() - started
                assert approved.status_code == 200 and approved.json()["qrToken"], approved.text
                tokens.append(approved.json()["qrToken"])
                if index:
                    results.approve.append(elapsed)
            in_process, over_http = tokens
            verified = []
            for _ in range(VERIFY_REPEATS):
                started = time.perf_counter()
                grant = grants.verify(in_process, "YCH01", store.utcnow())
                verified.append(time.perf_counter() - started)
            original = grants.verify
            grants.verify = lambda *_args, _grant=grant, **_kwargs: _grant  # type: ignore[assignment]
            try:
                started = time.perf_counter()
                hospital.admit_by_qr(hospital_principal, PresentedQr(token=in_process))
                redeemed = time.perf_counter() - started
            finally:
                grants.verify = original  # type: ignore[assignment]
            started = time.perf_counter()
            scanned = session.post(f"{stack.url}/hospital/scan", json={"token": over_http}, headers=scanner)
            whole = time.perf_counter() - started
            assert scanned.status_code == 200, scanned.text
            units = [_conditional_put() for _ in range(5)]
            if index:
                results.verify += verified
                results.redeem.append(redeemed)
                results.scan.append(whole)
                results.unit += units
    return results


def report(result: MedicalResults) -> list[str]:
    unit = statistics.median(result.unit)

    def line(label: str, values: list[float]) -> str:
        median = statistics.median(values)
        return (f"  {label}: median {median * 1000:.2f} ms, p99 {p99(values) * 1000:.2f} ms "
                f"= {median / unit:.3g} × one conditional write")

    return [
        f"7. Injury direct pay (local stack, n={result.applications} cases × 2 injured)",
        line("approval → QR issued (POST /medical/{id}/approve over HTTP)", result.approve),
        line("scan, offline verify (signature, expiry, hospital; in process, no I/O)", result.verify),
        line("scan, online redeem (one Query + one TransactWriteItems, in process)", result.redeem),
        line("scan, the whole request (POST /hospital/scan over HTTP)", result.scan),
        f"  unit: one DynamoDB PutItem conditional on attribute_not_exists, median {unit * 1000:.2f} ms (n={len(result.unit)})",
    ]
