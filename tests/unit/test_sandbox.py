"""The sandbox insurer on loopback: receives like an insurer, answers a reported claim, fails on cue."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.errors import WebhookRejected
from chalicelib.integrations.webhooks import new_secret, signed_headers, verify
from infra.local.sandbox import InsurerSandbox

CODE = "PICC"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy


@dataclass
class FakePlatform:
    """The platform's inbound insurer webhook endpoint, verifying what it gets."""

    secret: str
    answer: int = 200
    events: list[dict[str, Any]] = field(default_factory=list)  # verified deliveries, in arrival order
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    stalls: list[float] = field(default_factory=list)  # seconds to hold each next reply (a platform too slow to answer)
    answers: list[int] = field(default_factory=list)  # statuses for the next deliveries, before `answer`


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def platform(secret) -> Iterator[FakePlatform]:
    fake = FakePlatform(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            route = re.fullmatch(r"/webhooks/insurers/(\w+)", self.path)
            try:
                webhook_id = verify([fake.secret], dict(self.headers.items()), body, datetime.now(UTC))
            except WebhookRejected as error:
                with fake.lock:
                    fake.rejected.append(error.message)
                status = 401
            else:
                with fake.lock:
                    fake.events.append({"code": route and route[1], "webhookId": webhook_id, "body": json.loads(body)})
                    status = fake.answers.pop(0) if fake.answers else fake.answer
                    stall = fake.stalls.pop(0) if fake.stalls else 0.0
                threading.Event().wait(stall)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sandbox(platform, secret) -> Iterator[InsurerSandbox]:
    def secret_of(code: str) -> list[str]:
        if code not in (CODE, "CPIC"):
            raise KeyError(code)
        return [secret]

    started = InsurerSandbox(platform.url, secret_of, reply_delay=0.01).start()
    try:
        yield started
    finally:
        started.stop()


def _wait_until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.01)
    raise AssertionError(f"not true within {timeout}s: {condition}")


def _request(url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)  # noqa: S310 - loopback test server
    try:
        with DIRECT.open(request, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def _deliver(sandbox: InsurerSandbox, secret: str, webhook_id: str, event_type: str, data: dict, code: str = CODE) -> tuple[int, Any]:
    """One delivery as the platform's deliverer makes it: signed now, every attempt re-signed."""
    now = datetime.now(UTC)
    text = json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data}, ensure_ascii=False)
    return _request(sandbox.webhook_url(code), "POST", text.encode(), signed_headers(secret, webhook_id, now, text))


def _received(sandbox: InsurerSandbox, code: str = CODE) -> list[dict[str, Any]]:
    status, body = _request(f"{sandbox.url}/insurers/{code}/received")
    assert status == 200
    return body


def test_given_started_then_bound_port_and_urls(sandbox):
    assert sandbox.port > 0
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
    assert sandbox.webhook_url("PICC") == f"{sandbox.url}/insurers/PICC/webhook"


def test_given_claim_reported_then_received_once_and_insurer_answers_accepted_assessed_paid(sandbox, platform, secret):
    status, reply = _deliver(sandbox, secret, "msg_report1", "claim.reported", {"caseId": "K1", "claimId": "CL1"})
    assert (status, reply) == (200, {"received": "msg_report1"})

    [entry] = _received(sandbox)
    assert entry["code"] == CODE and entry["webhookId"] == "msg_report1" and entry["type"] == "claim.reported"
    assert entry["data"] == {"caseId": "K1", "claimId": "CL1"} and entry["attempts"] == 1
    assert datetime.fromisoformat(entry["receivedAt"]).tzinfo is not None

    events = _wait_until(lambda: len(platform.events) >= 3 and list(platform.events))
    assert platform.rejected == []  # every one verified with the insurer's secret
    assert [e["body"]["type"] for e in events] == ["claim.accepted", "claim.loss_assessed", "claim.paid"]
    assert {e["code"] for e in events} == {CODE}
    assert len({e["webhookId"] for e in events}) == 3 and all(e["webhookId"].startswith("msg_") for e in events)
    accepted, assessed, paid = (e["body"] for e in events)
    assert accepted["data"] == {"claimId": "CL1"}
    assert assessed["data"] == {
        "claimId": "CL1",
        "amount": 180000,
        "items": [{"name": "后保险杠更换", "amount": 120000}, {"name": "喷漆", "amount": 60000}],
    }
    assert set(paid["data"]) == {"claimId", "amount", "paidAt"} and paid["data"]["amount"] == 180000
    assert datetime.fromisoformat(paid["data"]["paidAt"]).utcoffset().total_seconds() == 0
    for body in (accepted, assessed, paid):
        assert set(body) == {"type", "timestamp", "data"}
        assert datetime.fromisoformat(body["timestamp"]).utcoffset().total_seconds() == 0

    _wait_until(lambda: len(sandbox.sent) == 3)
    assert [(s["type"], s["status"]) for s in sandbox.sent] == [
        ("claim.accepted", 200),
        ("claim.loss_assessed", 200),
        ("claim.paid", 200),
    ]


def test_given_wrongly_signed_delivery_then_401_and_not_recorded(sandbox, platform):
    status, reply = _deliver(sandbox, new_secret(), "msg_forged", "claim.reported", {"claimId": "CL9"})
    assert status == 401
    assert reply["error"]["code"] == "WebhookRejected" and reply["error"]["field"] == "webhook-signature"
    assert _received(sandbox) == []
    sandbox.stop()  # joins any reply in flight: none may have started
    assert sandbox.sent == [] and platform.events == []


def test_given_stale_delivery_then_401(sandbox, secret):
    text = json.dumps({"type": "claim.reported", "timestamp": "2020-01-01T00:00:00+00:00", "data": {"claimId": "CL1"}})
    headers = signed_headers(secret, "msg_old", datetime(2020, 1, 1, tzinfo=UTC), text)
    status, reply = _request(sandbox.webhook_url(CODE), "POST", text.encode(), headers)
    assert (status, reply["error"]["field"]) == (401, "webhook-timestamp")
    assert _received(sandbox) == []


def test_given_two_scripted_failures_then_503_twice_then_200_and_recorded_once(sandbox, platform, secret):
    sandbox.fail_next(CODE, 2)
    statuses = [_deliver(sandbox, secret, "msg_retry", "claim.reported", {"claimId": "CL2"})[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    [entry] = _received(sandbox)
    assert (entry["webhookId"], entry["data"], entry["attempts"]) == ("msg_retry", {"claimId": "CL2"}, 3)

    # Our 200 got lost, the deliverer tries again: acknowledged, still taken (and answered) once.
    assert _deliver(sandbox, secret, "msg_retry", "claim.reported", {"claimId": "CL2"}) == (
        200,
        {"received": "msg_retry", "duplicate": True},
    )
    [entry] = _received(sandbox)
    assert entry["attempts"] == 4
    _wait_until(lambda: len(platform.events) >= 3)
    sandbox.stop()  # joins the reply threads, so a second script would have finished by now
    assert [e["body"]["type"] for e in platform.events] == ["claim.accepted", "claim.loss_assessed", "claim.paid"]


def test_given_scripted_failures_then_they_apply_to_that_insurer_only(sandbox, secret):
    sandbox.fail_next(CODE, 1, status=500)
    assert _deliver(sandbox, secret, "msg_c1", "case.closed", {"caseId": "K1"}, code="CPIC")[0] == 200
    assert _deliver(sandbox, secret, "msg_p1", "case.closed", {"caseId": "K1"})[0] == 500
    assert _deliver(sandbox, secret, "msg_p1", "case.closed", {"caseId": "K1"})[0] == 200


def test_given_gone_then_410_from_then_on_and_nothing_recorded(sandbox, secret):
    sandbox.gone(CODE)
    for attempt in range(2):
        status, reply = _deliver(sandbox, secret, f"msg_gone{attempt}", "claim.reported", {"claimId": "CL3"})
        assert status == 410 and reply["error"]["code"] == "Gone"
    assert _received(sandbox) == []
    assert sandbox.sent == []


def test_given_platform_refuses_a_reply_then_script_stops(sandbox, platform, secret):
    platform.answer = 422
    assert _deliver(sandbox, secret, "msg_report4", "claim.reported", {"claimId": "CL4"})[0] == 200
    _wait_until(lambda: sandbox.sent)
    sandbox.stop()
    assert [(s["type"], s["status"]) for s in sandbox.sent] == [("claim.accepted", 422)]


def test_given_other_event_or_no_claim_id_then_no_answer(sandbox, platform, secret):
    assert _deliver(sandbox, secret, "msg_a", "case.determined", {"caseId": "K1", "claimId": "CL5"})[0] == 200
    assert _deliver(sandbox, secret, "msg_b", "claim.reported", {"caseId": "K1"})[0] == 200
    assert [e["webhookId"] for e in _received(sandbox)] == ["msg_a", "msg_b"]
    sandbox.stop()
    assert sandbox.sent == [] and platform.events == []


def test_given_stop_while_answering_then_returns_promptly_without_sending(platform, secret):
    slow = InsurerSandbox(platform.url, lambda code: [secret], reply_delay=30).start()
    try:
        assert _deliver(slow, secret, "msg_slow", "claim.reported", {"claimId": "CL6"})[0] == 200
    finally:
        began = time.monotonic()
        slow.stop()
    assert time.monotonic() - began < 5
    assert slow.sent == [] and platform.events == []


def test_given_unknown_insurer_or_path_or_bad_body_then_refused(sandbox, secret):
    assert _deliver(sandbox, secret, "msg_x", "claim.reported", {"claimId": "CL7"}, code="NOPE")[0] == 404
    assert _request(f"{sandbox.url}/nothing/here")[0] == 404
    text = "not json"
    status, reply = _request(sandbox.webhook_url(CODE), "POST", text.encode(), signed_headers(secret, "msg_y", datetime.now(UTC), text))
    assert status == 400 and reply["error"]["code"] == "ValidationFailed"
    assert _received(sandbox) == []


def _answered(platform: FakePlatform) -> list[tuple[str, str]]:
    with platform.lock:
        return [(e["body"]["type"], e["webhookId"]) for e in platform.events]


def test_given_a_reply_times_out_then_it_is_sent_again_and_the_claim_is_still_answered(platform, secret):
    platform.stalls = [2.0]  # the platform holds its answer to claim.accepted past the sandbox's timeout
    patient = InsurerSandbox(platform.url, lambda code: [secret], reply_delay=0.01, send_timeout=0.3).start()
    try:
        assert _deliver(patient, secret, "msg_report7", "claim.reported", {"claimId": "CL7"})[0] == 200
        _wait_until(lambda: [t for t, _ in _answered(platform)][-1:] == ["claim.paid"], timeout=60)
    finally:
        patient.stop()
    sent = _answered(platform)
    assert [t for t, _ in sent] == ["claim.accepted", "claim.accepted", "claim.loss_assessed", "claim.paid"]
    assert sent[0][1] == sent[1][1]  # the same event again, under its webhook id: the platform acts once


def test_given_the_platform_unavailable_for_a_while_then_the_claim_is_still_answered(sandbox, platform, secret):
    platform.answers = [503, 503]
    assert _deliver(sandbox, secret, "msg_report8", "claim.reported", {"claimId": "CL8"})[0] == 200
    _wait_until(lambda: [t for t, _ in _answered(platform)][-1:] == ["claim.paid"], timeout=60)
    assert [t for t, _ in _answered(platform)] == ["claim.accepted"] * 3 + ["claim.loss_assessed", "claim.paid"]


def test_given_an_emergency_cost_notice_then_the_insurer_guarantees_then_pays_the_amount_due(sandbox, platform, secret):
    data = {"caseId": "K1", "applicationId": "MA1", "amountDue": 523456}
    assert _deliver(sandbox, secret, "msg_medical1", "medical.requested", data)[0] == 200

    events = _wait_until(lambda: len(platform.events) >= 2 and list(platform.events))
    assert platform.rejected == []
    assert [(e["body"]["type"], e["body"]["data"]) for e in events] == [
        ("medical.guaranteed", {"applicationId": "MA1", "amount": 523456}),
        ("medical.paid", {"applicationId": "MA1", "amount": 523456}),
    ]


def test_given_an_emergency_cost_notice_without_an_amount_then_no_answer(sandbox, platform, secret):
    assert _deliver(sandbox, secret, "msg_medical2", "medical.requested", {"applicationId": "MA2", "amountDue": "1"})[0] == 200
    sandbox.stop()
    assert platform.events == []
