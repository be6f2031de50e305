"""The sandbox insurer: a stand-in, on loopback, for the 23 insurers' claim systems.

Locally there is no insurer to take a claim, so a new user would see a case stop at
"claim reported". The sandbox receives the platform's webhooks the way an insurer must
(verified on the raw body, de-duplicated by webhook-id) and, when a claim is reported, answers
as an insurer would: accepted, loss assessed, paid, each a signed webhook back to the platform;
an emergency-cost notice (`medical.requested`) is answered with a guarantee, then the payment.

Tests script its failures (`fail_next`, `gone`) to drive the deliverer's retries and dead-letter
path. Standard library only (http.server, urllib): nothing to install for the local stack.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from chalicelib.errors import WebhookRejected
from chalicelib.integrations.webhooks import signed_headers, verify

logger = logging.getLogger(__name__)

_ROUTE = re.compile(r"/insurers/(?P<code>[A-Za-z0-9_-]{1,32})/(?P<action>webhook|received)")
_MAX_BODY = 1 << 20  # a webhook event is small; refuse to buffer anything large
_SEND_TIMEOUT = 5.0
_RETRY_CAP = 30.0  # seconds at most between two attempts at one reply

# What the scripted insurer pays: money in fen, as everywhere in the platform (¥1,800.00).
_AMOUNT = 180000
_ITEMS = [{"name": "后保险杠更换", "amount": 120000}, {"name": "喷漆", "amount": 60000}]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class InsurerSandbox:
    def __init__(
        self,
        platform_url: str,
        secret_of: Callable[[str], list[str]],
        host: str = "127.0.0.1",
        port: int = 0,
        reply_delay: float = 0.5,
        script: bool = True,
        send_timeout: float = _SEND_TIMEOUT,
    ) -> None:
        if urlsplit(platform_url).scheme not in ("http", "https"):
            raise ValueError(f"platform_url must be http(s), not {platform_url!r}")
        self.platform_url = platform_url.rstrip("/")
        self.secret_of = secret_of
        self.host = host
        self.port = port
        self.reply_delay = reply_delay
        self.script = script
        self.send_timeout = send_timeout
        self.sent: list[dict[str, Any]] = []  # each scripted event and the platform's answer
        self._lock = threading.Lock()
        self._received: dict[str, list[dict[str, Any]]] = {}  # code → effective deliveries, in order
        self._attempts: dict[tuple[str, str], int] = {}  # (code, webhook-id) → verified attempts
        self._fail: dict[str, tuple[int, int]] = {}  # code → (deliveries left to fail, status)
        self._gone: set[str] = set()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        # A direct opener: an HTTP(S)_PROXY in the environment must not carry loopback traffic.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> InsurerSandbox:
        handler = type("Handler", (_Handler,), {"sandbox": self})  # each request's handler finds its sandbox
        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self.port = int(self._server.server_address[1])
        # A short poll interval: stop() (shutdown) waits for the loop's next look at its flag.
        thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="insurer-sandbox", daemon=True)
        thread.start()
        with self._lock:
            self._threads.append(thread)
        logger.info("sandbox insurer listening on %s", self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()  # scripted replies stop at their next step
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=self.send_timeout + 1)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def webhook_url(self, code: str) -> str:
        return f"{self.url}/insurers/{code}/webhook"

    # --- scripting (tests) -----------------------------------------------------------------

    def fail_next(self, code: str, count: int, status: int = 503) -> None:
        """The next `count` verified deliveries to `code` answer `status` and are not taken."""
        with self._lock:
            self._fail[code] = (count, status)

    def gone(self, code: str) -> None:
        """`code` answers 410 from now on: the endpoint was removed, the sender should stop."""
        with self._lock:
            self._gone.add(code)

    def received(self, code: str) -> list[dict[str, Any]]:
        with self._lock:
            return [{**entry, "attempts": self._attempts[(code, entry["webhookId"])]} for entry in self._received.get(code, [])]

    # --- receiving -------------------------------------------------------------------------

    def _deliver(self, code: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """One inbound delivery → (status, JSON reply)."""
        try:
            keys = self.secret_of(code)
        except KeyError:
            return HTTPStatus.NOT_FOUND, _error("NotFound", f"no insurer {code}")
        try:
            webhook_id = verify(keys, headers, body, datetime.now(UTC))
        except WebhookRejected as error:
            return HTTPStatus.UNAUTHORIZED, error.to_body()
        try:
            event = json.loads(body)
        except ValueError:
            event = None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
            return HTTPStatus.BAD_REQUEST, _error("ValidationFailed", "the body must be JSON {type, timestamp, data}")

        # Scripted failures count only deliveries that verify: a signing mistake in a test
        # shows as 401 instead of hiding behind a scripted 503.
        with self._lock:
            self._attempts[(code, webhook_id)] = self._attempts.get((code, webhook_id), 0) + 1
            if code in self._gone:
                return HTTPStatus.GONE, _error("Gone", f"insurer {code} no longer takes webhooks here")
            left, status = self._fail.get(code, (0, 0))
            if left > 0:
                self._fail[code] = (left - 1, status)
                return status, _error("ScriptedFailure", f"scripted failure, {left - 1} more to come")
            taken = self._received.setdefault(code, [])
            if any(entry["webhookId"] == webhook_id for entry in taken):
                # A retry of what we already took (our 200 was lost, or the sender gave up
                # waiting): acknowledge again, act once.
                return HTTPStatus.OK, {"received": webhook_id, "duplicate": True}
            taken.append(
                {"code": code, "webhookId": webhook_id, "type": event["type"], "data": event["data"], "receivedAt": _iso(datetime.now(UTC))}
            )

        steps = self._script_for(event["type"], event["data"]) if self.script else None
        if steps:
            thread = threading.Thread(target=self._answer, args=(code, steps), name=f"sandbox-{code}-{webhook_id}", daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()
        return HTTPStatus.OK, {"received": webhook_id}

    @staticmethod
    def _script_for(event_type: str, data: dict[str, Any]) -> list[tuple[str, Callable[[], dict[str, Any]]]] | None:
        """What an insurer's system answers: a reported claim is accepted, assessed and paid; an
        emergency-cost notice (Art.42) is guaranteed, then the amount due is paid to the hospital."""
        claim_id = data.get("claimId")
        if event_type == "claim.reported" and isinstance(claim_id, str) and claim_id:
            return [
                ("claim.accepted", lambda: {"claimId": claim_id}),
                ("claim.loss_assessed", lambda: {"claimId": claim_id, "amount": _AMOUNT, "items": [dict(i) for i in _ITEMS]}),
                ("claim.paid", lambda: {"claimId": claim_id, "amount": _AMOUNT, "paidAt": _iso(datetime.now(UTC))}),
            ]
        application_id, due = data.get("applicationId"), data.get("amountDue")
        if event_type == "medical.requested" and isinstance(application_id, str) and isinstance(due, int) and due > 0:
            return [
                ("medical.guaranteed", lambda: {"applicationId": application_id, "amount": due}),
                ("medical.paid", lambda: {"applicationId": application_id, "amount": due}),
            ]
        return None

    # --- answering: what an insurer's claim system does after a report ----------------------

    def _answer(self, code: str, steps: list[tuple[str, Callable[[], dict[str, Any]]]]) -> None:
        for event_type, data in steps:
            if self._stopping.wait(self.reply_delay):  # paced like a person at the insurer; stop() cuts it short
                return
            status = self._send_until_taken(code, event_type, data())
            if status is None or status >= 400:
                logger.warning("sandbox insurer %s: stopped answering at %s (platform answered %s)", code, event_type, status)
                return

    def _send_until_taken(self, code: str, event_type: str, data: dict[str, Any]) -> int | None:
        """Send one reply until the platform takes or refuses it, as an insurer's system does: a
        timeout, a lost connection, a 429 or a 5xx is tried again (backing off, under the same
        webhook id, so the platform acts once); None only when the sandbox stops."""
        webhook_id = f"msg_{secrets.token_urlsafe(18)}"
        pause = max(self.reply_delay, 0.05)
        while True:
            status = self._send(code, event_type, data, webhook_id)
            if status is not None and status < 500 and status != HTTPStatus.TOO_MANY_REQUESTS:
                return status
            if self._stopping.wait(pause):
                return None
            pause = min(pause * 2, _RETRY_CAP)

    def _send(self, code: str, event_type: str, data: dict[str, Any], webhook_id: str) -> int | None:
        keys = self.secret_of(code)
        if not keys:
            logger.warning("sandbox insurer %s has no signing secret; not sending %s", code, event_type)
            return HTTPStatus.UNAUTHORIZED  # nothing to sign with: trying again would not help
        now = datetime.now(UTC)
        text = json.dumps({"type": event_type, "timestamp": _iso(now), "data": data}, ensure_ascii=False, separators=(",", ":"))
        request = urllib.request.Request(  # noqa: S310 - the scheme was checked in __init__
            f"{self.platform_url}/webhooks/insurers/{code}",
            data=text.encode("utf-8"),  # exactly the text that was signed
            headers=signed_headers(keys[0], webhook_id, now, text),  # the current secret signs
            method="POST",
        )
        status: int | None
        try:
            with self._opener.open(request, timeout=self.send_timeout) as reply:
                status = int(reply.status)
        except urllib.error.HTTPError as error:
            status = int(error.code)
            error.close()
        except (urllib.error.URLError, OSError) as error:
            logger.warning("sandbox insurer %s could not reach the platform: %s", code, error)
            status = None
        with self._lock:
            self.sent.append({"code": code, "webhookId": webhook_id, "type": event_type, "data": data, "status": status})
        return status


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": None}}


class _Handler(BaseHTTPRequestHandler):
    sandbox: InsurerSandbox
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        route = _ROUTE.fullmatch(self.path.split("?", 1)[0])
        if not route or route["action"] != "webhook":
            return self._reply(HTTPStatus.NOT_FOUND, _error("NotFound", "no such endpoint"))
        try:
            length = int(self.headers.get("content-length", ""))
        except ValueError:
            return self._reply(HTTPStatus.LENGTH_REQUIRED, _error("ValidationFailed", "content-length is required"))
        if not 0 <= length <= _MAX_BODY:
            return self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error("ValidationFailed", "the body is too large"))
        body = self.rfile.read(length)  # the raw bytes: the signature covers them, not a re-encoding
        status, reply = self.sandbox._deliver(route["code"], dict(self.headers.items()), body)
        self._reply(status, reply)

    def do_GET(self) -> None:
        route = _ROUTE.fullmatch(self.path.split("?", 1)[0])
        if not route or route["action"] != "received":
            return self._reply(HTTPStatus.NOT_FOUND, _error("NotFound", "no such endpoint"))
        self._reply(HTTPStatus.OK, self.sandbox.received(route["code"]))

    def _reply(self, status: int, body: Any) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(payload)))
        if status >= 400:
            self.send_header("connection", "close")  # the request body may be unread: do not reuse the connection
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox insurer: " + format, *args)
