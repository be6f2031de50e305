"""Failing deliveries (issue 16): every kind of failure counts an attempt and backs off or gives up,
ending DEAD after the last attempt (never retried silently forever); a redirect is not followed;
the deliverer publishes `DeliveriesFailed` and `DeadMessages`, and reports a stream record it could
not handle. The insurer's endpoint is a real HTTP server on loopback, sent to by `http_send`."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.integrations import insurer_secrets
from chalicelib.services import delivery
from chalicelib.settings import reset_settings
from chalicelib.store import cases as case_store
from chalicelib.store import outbox, reference
from functions.deliverer import handler as deliverer

SLOW_SECONDS = 3.0


class Endpoint:
    """An insurer's webhook endpoint: `/ok` 200, `/error` 500, `/missing` 404, `/moved` 302 to `/ok`,
    `/slow` answers after the deliverer's timeout. Records the paths it was asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.paths.append(self.path)
                status = {"/ok": 200, "/error": 500, "/missing": 404, "/moved": 302}.get(self.path, 200)
                if self.path == "/slow":
                    time.sleep(SLOW_SECONDS)
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "/ok")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint(aws, monkeypatch):
    monkeypatch.setenv("DELIVERY_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("DELIVERY_MAX_ATTEMPTS", "3")
    reset_settings()
    insurer_secrets.ensure("PICC")
    insurer_secrets.forget_cached()
    served = Endpoint()
    yield served
    served.server.shutdown()
    served.server.server_close()
    reset_settings()


def _registered(url: str) -> None:
    insurer = reference.get("INSURER", "PICC")
    insurer.attributes = {**case_store.plain(insurer.attributes), "webhookUrl": url}
    insurer.save()


def _message() -> str:
    item = outbox.event("C-DELIVERY", "PICC", "claim.updated", {"claimId": "CL-1"}, case_store.iso(case_store.utcnow()))
    item.save()
    return item.outbox_id


def _closed_port_url() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/closed"


def _secret_missing(monkeypatch):
    def missing(code, now=None):
        raise insurer_secrets.client("secretsmanager").exceptions.ResourceNotFoundException(
            {"Error": {"Code": "ResourceNotFoundException", "Message": "no secret"}}, "GetSecretValue"
        )

    monkeypatch.setattr(insurer_secrets, "secrets_in_force", missing)


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [("/error", "RETRY"), ("/slow", "RETRY"), ("refused", "RETRY"), ("secret", "FAILED")],
)
def test_given_a_retryable_failure_when_delivered_then_the_attempt_counts_and_backs_off(endpoint, monkeypatch, kind, outcome):
    _registered(_closed_port_url() if kind == "refused" else f"{endpoint.url}{kind if kind.startswith('/') else '/ok'}")
    if kind == "secret":
        _secret_missing(monkeypatch)
    outbox_id = _message()
    before = case_store.utcnow()
    assert delivery.deliver_due() == {outcome: 1}
    item = outbox.get(outbox_id)
    assert item is not None and item.status == outbox.PENDING and item.attempts == 1 and item.last_error
    assert item.lease_until is None and item.next_attempt_at > case_store.iso(before + timedelta(seconds=1))  # backed off
    assert delivery.deliver_due() == {}  # not due again until the backoff is over


@pytest.mark.parametrize("kind", ["/error", "/slow", "refused", "secret"])
def test_given_a_message_that_keeps_failing_when_retried_then_dead_after_the_last_attempt(endpoint, monkeypatch, kind):
    _registered(_closed_port_url() if kind == "refused" else f"{endpoint.url}{kind if kind.startswith('/') else '/ok'}")
    if kind == "secret":
        _secret_missing(monkeypatch)
    outbox_id = _message()
    moment = case_store.utcnow()
    outcomes = []
    for _ in range(5):
        outcomes.append(delivery.deliver_due(now=moment))
        moment += timedelta(hours=2)  # past any backoff
    assert outcomes[2] == {outbox.DEAD: 1} and outcomes[3:] == [{}, {}]  # given up, never tried again
    item = outbox.get(outbox_id)
    assert item is not None and item.status == outbox.DEAD and item.attempts == 3


@pytest.mark.parametrize("path", ["/missing", "/moved"])
def test_given_a_4xx_or_a_redirect_when_delivered_then_one_failed_attempt_and_dead(endpoint, path):
    _registered(f"{endpoint.url}{path}")
    outbox_id = _message()
    assert delivery.deliver_due() == {outbox.DEAD: 1}
    item = outbox.get(outbox_id)
    assert item is not None and item.status == outbox.DEAD and item.attempts == 1
    assert endpoint.paths == [path]  # the redirect's target (/ok) was never asked
    if path == "/moved":
        assert item.last_error == "HTTP 302 (redirect not followed)"


def test_given_a_deployed_stage_when_the_registered_url_is_http_then_nothing_is_sent_and_it_is_dead(endpoint, monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    reset_settings()
    _registered(f"{endpoint.url}/ok")
    outbox_id = _message()
    assert delivery.deliver_due() == {"REFUSED_URL": 1}
    assert endpoint.paths == []
    assert outbox.get(outbox_id).status == outbox.DEAD


def _context():
    return SimpleNamespace(function_name="deliverer", memory_limit_in_mb=512, invoked_function_arn="arn:aws:lambda:r:0:function:d",
                           aws_request_id="r-1", get_remaining_time_in_millis=lambda: 50_000)


def _stream_record(outbox_id: str, sequence: str) -> dict[str, Any]:
    key = outbox.key_prefix() + outbox_id
    return {"eventID": sequence, "eventName": "INSERT", "eventSource": "aws:dynamodb",
            "dynamodb": {"Keys": {"pk": {"S": key}, "sk": {"S": "#OUTBOX"}}, "SequenceNumber": sequence}}


def _metrics(output: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for line in output.splitlines():
        if '"_aws"' in line:
            emf = json.loads(line)
            for name in ("DeliveriesFailed", "DeadMessages"):
                if name in emf:
                    values[name] = values.get(name, 0) + sum(emf[name] if isinstance(emf[name], list) else [emf[name]])
    return values


def test_given_a_stream_record_of_a_new_message_when_it_fails_then_metrics_count_the_failure_and_the_dead(endpoint, capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")  # the suite silences metrics; this test reads them
    _registered(f"{endpoint.url}/missing")
    outbox_id = _message()
    reply = deliverer.handler({"Records": [_stream_record(outbox_id, "100")]}, _context())
    assert reply == {"batchItemFailures": []}  # handled: a failed delivery is recorded, not a stream retry
    assert outbox.get(outbox_id).status == outbox.DEAD
    assert _metrics(capsys.readouterr().out) == {"DeliveriesFailed": 1, "DeadMessages": 1}


def test_given_a_stream_record_that_cannot_be_handled_then_it_is_reported_for_the_stream_to_retry(endpoint, monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "0")
    _registered(f"{endpoint.url}/ok")
    handled, broken = _message(), _message()

    def table_refuses(outbox_id, *args):
        if outbox_id == broken:
            raise RuntimeError("throttled")
        return real(outbox_id, *args)

    real = deliverer.deliver_new
    monkeypatch.setattr(deliverer, "deliver_new", table_refuses)
    reply = deliverer.handler({"Records": [_stream_record(handled, "1"), _stream_record(broken, "2")]}, _context())
    assert reply == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert outbox.get(handled).status == "DELIVERED" and endpoint.paths == ["/ok"]
    assert _metrics(capsys.readouterr().out) == {"DeliveriesFailed": 0, "DeadMessages": 0}
