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
# Outcomes of a run that are a failed attempt (for the `DeliveriesFailed` metric), and those that
# gave a message up (`DeadMessages`): a dead letter always alarms, nothing is retried silently forever.
FAILED_ATTEMPTS = frozenset({"RETRY", "FAILED", outbox.DEAD, "REFUSED_URL", "ENDPOINT_GONE"})
GIVEN_UP = frozenset({outbox.DEAD, "REFUSED_URL"})


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None
    ms: float


Sender = Callable[[str, dict[str, str], bytes, float], Attempt]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: the deliverer posts to the insurer's registered
    URL only, so a 3xx ends the attempt (as an `HTTPError` with its status) instead of being followed."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def http_send(url: str, headers: dict[str, str], body: bytes, timeout: float) -> Attempt:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - URL checked by check_url
    try:
        with _OPENER.open(request, timeout=timeout) as reply:
            status: int | None = reply.status
            error = None
    except urllib.error.HTTPError as failed:
        moved = " (redirect not followed)" if 300 <= failed.code < 400 else ""
        status, error = failed.code, f"HTTP {failed.code}{moved}"
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
    whose attempt breaks for any reason counts that attempt and backs off like a failed send (see
    `_count_failure`); it never holds up the messages behind it.
    """
    moment = now or store.utcnow()
    margin = get_settings().delivery_timeout_seconds + 5
    outcomes: dict[str, int] = {}
    for item in outbox.pending(("WEBHOOK", "NOTICE"), store.iso(moment)):
        if sum(outcomes.values()) >= limit or (seconds_left is not None and seconds_left() < margin):
            break
        outcome = _deliver_leased(item, moment, send)
        if outcome is not None:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def deliver_new(outbox_id: str, now: datetime | None = None, send: Sender = http_send) -> str | None:
    """The first attempt of a message just committed (the table's stream, or the local stack's
    nudge); None when it is no longer due or another worker holds it. Later attempts are the
    scheduled run's (`deliver_due`)."""
    moment = now or store.utcnow()
    item = outbox.get(outbox_id)
    if item is None or item.status != outbox.PENDING or (item.next_attempt_at or "") > store.iso(moment):
        return None
    return _deliver_leased(item, moment, send)


def _deliver_leased(item: OutboxItem, moment: datetime, send: Sender) -> str | None:
    # Held for this worker a while: another worker skips it meanwhile.
    if not outbox.lease(item, store.iso(moment), store.iso(moment + timedelta(seconds=LEASE_SECONDS))):
        return None
    try:
        return deliver_one(item, moment, send)
    except (TransactWriteError, PutError) as failed:  # another worker finished it; the lease protects the rest
        logger.warning("delivery not recorded", extra={"outbox_id": item.outbox_id, "error": type(failed).__name__})
        return "NOT_RECORDED"
    except Exception as failed:  # noqa: BLE001 - one bad message must not hold up the rest; it is logged and counted
        logger.exception("delivery failed", extra={"outbox_id": item.outbox_id, "insurer": item.recipient})
        return _count_failure(item.outbox_id, moment, failed)


def _count_failure(outbox_id: str, now: datetime, failure: Exception) -> str:
    """An attempt that broke before any answer (a missing or unreadable signing secret, a broken
    insurer record, ...) is an attempt all the same: counted, backed off, and dead after the last
    one, so a message is never retried silently forever. Read afresh: the failure may have left
    the item in memory half-changed."""
    item = outbox.get(outbox_id)
    if item is None or item.status != outbox.PENDING:
        return "NOT_RECORDED"
    attempt_no = int(item.attempts) + 1
    item.attempts = attempt_no
    item.last_error = type(failure).__name__
    outcome = _outcome(item, Attempt(None, item.last_error, 0.0), attempt_no, now)
    item.save()
    return "FAILED" if outcome == "RETRY" else outcome
