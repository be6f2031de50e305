"""Delivering the outbox: webhooks to insurers, signed (Standard Webhooks), retried with
exponential backoff and jitter on timeouts and 5xx, dead-lettered after the last attempt, every
attempt logged, 410 Gone disabling the endpoint; and notices to parties by SMS, retried alike.

Runs as a scheduled function in AWS (`functions/deliverer`) and as a worker thread locally.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, TransactWriteError

from chalicelib.errors import ValidationFailed
from chalicelib.integrations import insurer_secrets, webhooks
from chalicelib.observability import logger
from chalicelib.services import notices
from chalicelib.services.fnol import first_notice
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import deliveries, outbox, reference
from chalicelib.store.models import OutboxItem

LEASE_SECONDS = 60
RETRYABLE = {408, 425, 429}


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None
    ms: float


Sender = Callable[[str, dict[str, str], bytes, float], Attempt]


def http_send(url: str, headers: dict[str, str], body: bytes, timeout: float) -> Attempt:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - URL checked by check_url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
            status: int | None = reply.status
            error = None
    except urllib.error.HTTPError as failed:
        status, error = failed.code, f"HTTP {failed.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as failed:
        status, error = None, type(failed).__name__ + (f": {failed.reason}" if isinstance(failed, urllib.error.URLError) else "")
    return Attempt(status, error, round((time.perf_counter() - started) * 1000, 1))


def backoff(attempts: int) -> float:
    """Exponential, capped, with 'equal jitter' so retries from many messages spread out."""
    settings = get_settings()
    ceiling = min(settings.delivery_max_backoff_seconds, settings.delivery_base_seconds * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _body(item: OutboxItem) -> str:
    payload = store.plain(item.payload)
    if item.topic == "claim.reported":
        # Built at delivery, so the links it carries are fresh on every attempt.
        record = store.load(item.case_id)
        claim = record.claim(payload["data"]["claimId"])
        if claim is not None:
            payload = {**payload, "data": first_notice(record, claim)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def signed(insurer_code: str, webhook_id: str, now: datetime, body: str) -> dict[str, str]:
    """Headers signed with every secret in force (the previous one too, during a rotation)."""
    secrets = insurer_secrets.secrets_in_force(insurer_code, now)
    headers = webhooks.signed_headers(secrets[0], webhook_id, now, body)
    extra = [webhooks.signed_headers(s, webhook_id, now, body)["webhook-signature"] for s in secrets[1:]]
    headers["webhook-signature"] = " ".join([headers["webhook-signature"], *extra])
    return headers


def deliver_one(item: OutboxItem, now: datetime, send: Sender = http_send) -> str:
    return _deliver_notice(item, now) if item.channel == "NOTICE" else _deliver_webhook(item, now, send)


def _deliver_notice(item: OutboxItem, now: datetime) -> str:
    """A notice to a party, by WeChat or SMS; retried like a webhook when the provider fails."""
    record = store.load(item.case_id)
    party = record.party(item.recipient)
    attempt_no = int(item.attempts) + 1
    error: str | None
    if party is None:
        outbox.bury(item)
        outcome, error = outbox.DEAD, "no such party"
    else:
        started = time.perf_counter()
        try:
            notices.send(item, party)
        except Exception as failed:  # noqa: BLE001 - any provider failure is retried with backoff
            attempt = Attempt(None, type(failed).__name__, round((time.perf_counter() - started) * 1000, 1))
        else:
            attempt = Attempt(200, None, round((time.perf_counter() - started) * 1000, 1))
            if item.topic == "letter.issued":
                _served(item.case_id, party.party_id, now)
        outcome, error = _outcome(item, attempt, attempt_no, now), attempt.error
    item.attempts = attempt_no
    item.last_error = error
    item.save()
    logger.info("notice delivery", extra={"outbox_id": item.outbox_id, "topic": item.topic, "attempt": attempt_no, "outcome": outcome})
    return outcome


def _served(case_id: str, party_id: str, at: datetime) -> None:
    """The letter's notice reached the party: service, from which their deadlines run. Recorded
    before the notice is settled, so a failure here retries the notice rather than losing it."""
    from chalicelib.services.determination import record_service  # the letter's services load on first use

    record_service(case_id, party_id, store.iso(at))


def _deliver_webhook(item: OutboxItem, now: datetime, send: Sender) -> str:
    settings = get_settings()
    insurer = reference.get("INSURER", item.recipient)
    attributes = store.plain(insurer.attributes)
    webhook_id = f"msg_{item.outbox_id}"  # the same id on every retry: receivers de-duplicate by it
    attempt_no = int(item.attempts) + 1
    attempt = Attempt(None, None, 0.0)
    if attributes.get("endpointStatus") == "DISABLED":
        outcome = "ENDPOINT_DISABLED"
        outbox.settle(item, outcome)
    else:
        try:
            webhooks.check_url(attributes["webhookUrl"], allow_private=settings.stage == "local", require_https=settings.stage != "local")
        except ValidationFailed as refused:
            attempt = Attempt(None, refused.message, 0.0)
            outcome = "REFUSED_URL"
            outbox.bury(item)
        else:
            body = _body(item)
            headers = signed(item.recipient, webhook_id, now, body)
            attempt = send(attributes["webhookUrl"], headers, body.encode("utf-8"), settings.delivery_timeout_seconds)
            outcome = _outcome(item, attempt, attempt_no, now)
    item.attempts = attempt_no
    item.last_error = attempt.error
    gone = outcome == "ENDPOINT_GONE"
    if gone:
        insurer.attributes = {**attributes, "endpointStatus": "DISABLED"}
    deliveries.record(item, webhook_id=webhook_id, at=now, outcome=outcome, status_code=attempt.status_code,
                      error=attempt.error, ms=attempt.ms, disabled_insurer=insurer if gone else None)
    logger.info("webhook delivery", extra={"outbox_id": item.outbox_id, "insurer": item.recipient, "topic": item.topic,
                                           "attempt": attempt_no, "outcome": outcome, "status_code": attempt.status_code})
    return outcome


def _outcome(item: OutboxItem, attempt: Attempt, attempt_no: int, now: datetime) -> str:
    code = attempt.status_code
    if code is not None and 200 <= code < 300:
        outbox.settle(item, "DELIVERED")
        return "DELIVERED"
    if code == 410:
        outbox.settle(item, "ENDPOINT_GONE")
        return "ENDPOINT_GONE"
    retryable = code is None or code >= 500 or code in RETRYABLE
    if retryable and attempt_no < get_settings().delivery_max_attempts:
        outbox.retry_at(item, store.iso(now + timedelta(seconds=backoff(attempt_no))))
        return "RETRY"
    outbox.bury(item)
    return outbox.DEAD


def deliver_due(
    now: datetime | None = None,
    limit: int = 100,
    send: Sender = http_send,
    seconds_left: Callable[[], float] | None = None,
) -> dict[str, int]:
    """Deliver the webhooks that are due; returns how many ended in each outcome.

    Stops before `seconds_left()` (a Lambda's remaining time) could run out mid-send. A message
    that fails for any reason is logged and left leased; it is tried again on a later run, and
    never holds up the messages behind it.
    """
    moment = now or store.utcnow()
    margin = get_settings().delivery_timeout_seconds + 5
    outcomes: dict[str, int] = {}
    for item in outbox.pending(("WEBHOOK", "NOTICE"), store.iso(moment)):
        if sum(outcomes.values()) >= limit or (seconds_left is not None and seconds_left() < margin):
            break
        # Held for this worker a while: another worker skips it meanwhile.
        if not outbox.lease(item, store.iso(moment), store.iso(moment + timedelta(seconds=LEASE_SECONDS))):
            continue
        try:
            outcome = deliver_one(item, moment, send)
        except (TransactWriteError, PutError) as failed:  # another worker finished it; the lease protects the rest
            logger.warning("delivery not recorded", extra={"outbox_id": item.outbox_id, "error": type(failed).__name__})
            outcome = "NOT_RECORDED"
        except Exception:  # noqa: BLE001 - one bad message must not hold up the rest; it is logged and retried
            logger.exception("delivery failed", extra={"outbox_id": item.outbox_id, "insurer": item.recipient})
            outcome = "FAILED"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes

