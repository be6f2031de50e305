"""Standard Webhooks for the insurers: sign what we send, verify what they send, vet their URLs.

Signing is the reference library's (`standardwebhooks.Webhook.sign`), so our signatures are
theirs byte for byte. Verification is ours: the library's `verify` reads the real clock, and
we want the clock injected (tests, the published test vector, replays in a workflow) and a
specific reason for every rejection. No boto3 here: the deliverer, the API and the local
sandbox insurer all import this module.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
import socket
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from math import floor
from secrets import token_bytes
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from chalicelib.errors import ValidationFailed, WebhookRejected

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
DEFAULT_TOLERANCE = timedelta(minutes=5)

# Seconds since the epoch as plain ASCII digits: int() alone would also take "+1", " 1", "1_0"
# and other scripts' digits, none of which a sender following the spec produces.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def new_secret() -> str:
    """A fresh signing secret for one insurer: `whsec_` and base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(32)).decode("ascii")


def _epoch_seconds(moment: datetime) -> int:
    # The library's `sign` does `timestamp.replace(tzinfo=utc)`, which silently shifts a time
    # in any other zone (Beijing is UTC+8); so we work in epoch seconds and hand it UTC only.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("webhook times must be timezone-aware")
    return floor(moment.timestamp())


def _signature(secret: str, msg_id: str, seconds: int, body: str) -> str:
    return Webhook(secret).sign(msg_id, datetime.fromtimestamp(seconds, tz=UTC), body)


def signed_headers(secret: str, msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The headers of one delivery of `body` (sent exactly as given: the signature covers its text)."""
    seconds = _epoch_seconds(timestamp)
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(seconds),
        SIGNATURE_HEADER: _signature(secret, msg_id, seconds, body),
        "content-type": "application/json",
    }


def _offered_signatures(header: str) -> list[bytes]:
    """The v1 signatures in the header; other versions and malformed entries are not ours to judge."""
    offered = []
    for entry in header.split():
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            offered.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    return offered


def verify(
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> str:
    """Check an inbound delivery against any of `secrets` (current, and previous while rotating).

    Returns its webhook-id (for de-duplication); raises WebhookRejected naming the header at fault.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER):
        if not (lowered.get(name) or "").strip():
            raise WebhookRejected(f"missing {name} header", field=name)
    msg_id = lowered[ID_HEADER].strip()
    stamp = lowered[TIMESTAMP_HEADER].strip()

    if not _TIMESTAMP.fullmatch(stamp):
        raise WebhookRejected("webhook-timestamp is not an integer number of seconds", field=TIMESTAMP_HEADER)
    # Outside the window a captured delivery could be replayed; the window bounds what a
    # receiver must remember of webhook-ids to de-duplicate.
    age = _epoch_seconds(now) - int(stamp)
    if age > tolerance.total_seconds():
        raise WebhookRejected("webhook-timestamp is too old", field=TIMESTAMP_HEADER)
    if -age > tolerance.total_seconds():
        raise WebhookRejected("webhook-timestamp is in the future", field=TIMESTAMP_HEADER)

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected("body is not valid UTF-8", field=SIGNATURE_HEADER) from None

    if not secrets:
        raise WebhookRejected("no signing secret is configured for this sender", field=SIGNATURE_HEADER)
    offered = _offered_signatures(lowered[SIGNATURE_HEADER])
    if not offered:
        raise WebhookRejected("webhook-signature holds no v1 signature", field=SIGNATURE_HEADER)
    for secret in secrets:
        expected = base64.b64decode(_signature(secret, msg_id, int(stamp), text).partition(",")[2])
        # compare_digest takes as long whichever bytes differ, so timing reveals nothing of the HMAC.
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return msg_id
    raise WebhookRejected("no webhook-signature matches", field=SIGNATURE_HEADER)


_FORBIDDEN = {
    "is_unspecified": "an unspecified",
    "is_loopback": "a loopback",
    "is_link_local": "a link-local",
    "is_multicast": "a multicast",
    "is_reserved": "a reserved",  # before private: Python counts 240.0.0.0/4 as private too
    "is_private": "a private",
}


def _forbidden_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a webhook must not go to this address ("a loopback", …), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1 (3.11's ipaddress does not see it)
    for attribute, kind in _FORBIDDEN.items():
        if getattr(address, attribute):
            return kind
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT: not private, not public either
        return "a non-global"
    return None


def check_url(url: str, *, allow_private: bool, require_https: bool) -> None:
    """Refuse a partner's webhook URL we must not call: wrong scheme, credentials, or one that
    points into our own network (SSRF). `allow_private` is for the local stack only, whose
    sandbox insurer listens on loopback.

    The name is resolved now; the deliverer should check again when it connects, since DNS
    answers can change after registration.
    """
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        # urlsplit drops tabs and newlines silently; the stored URL would still hold them.
        raise ValidationFailed("the webhook URL holds spaces or control characters", field="webhookUrl")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationFailed(f"the webhook URL does not parse: {error}", field="webhookUrl") from None
    scheme = parts.scheme.lower()
    if require_https and scheme != "https":
        raise ValidationFailed("the webhook URL must use https", field="webhookUrl")
    if scheme not in ("http", "https"):
        raise ValidationFailed("the webhook URL must use http or https", field="webhookUrl")
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed("the webhook URL must not hold credentials", field="webhookUrl")
    host = parts.hostname
    if not host:
        raise ValidationFailed("the webhook URL has no host", field="webhookUrl")
    if allow_private:
        return

    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        # A partner's endpoint has a name (and a certificate for it); a literal address is
        # how a request gets aimed at something inside.
        raise ValidationFailed("the webhook URL must name a host, not an IP address", field="webhookUrl")

    try:
        answers = socket.getaddrinfo(host, port or (443 if scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationFailed(f"the webhook host {host} does not resolve", field="webhookUrl") from None
    if not answers:
        raise ValidationFailed(f"the webhook host {host} does not resolve", field="webhookUrl")
    for *_, sockaddr in answers:
        # Every answer counts: a client may connect to any of them.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        kind = _forbidden_kind(address)
        if kind:
            raise ValidationFailed(f"the webhook host {host} resolves to {address}, {kind} address", field="webhookUrl")
