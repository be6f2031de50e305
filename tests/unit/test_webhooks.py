"""Standard Webhooks signing and verification, and the webhook URL guard."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.errors import ValidationFailed, WebhookRejected
from chalicelib.integrations.webhooks import check_url, new_secret, signed_headers, verify

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A copy of the published example kept in the repository, so every clone runs it (source: tests/vectors/README.md).
VECTOR_PATH = PROJECT_ROOT / "tests" / "vectors" / "standard_webhooks_vector.json"

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
BODY = '{"type":"claim.reported","timestamp":"2025-03-01T08:00:00.000+00:00","data":{"claimId":"C1","note":"后保险杠"}}'


@pytest.fixture
def vector() -> dict:
    return json.loads(VECTOR_PATH.read_text(encoding="utf-8"))


def _signed(secret: str = SECRET, msg_id: str = "msg_1", at: datetime = NOW, body: str = BODY) -> dict[str, str]:
    return signed_headers(secret, msg_id, at, body)


def _rejected(secrets: list[str], headers: dict[str, str], body: bytes = BODY.encode(), now: datetime = NOW) -> WebhookRejected:
    with pytest.raises(WebhookRejected) as caught:
        verify(secrets, headers, body, now)
    return caught.value


# --- the published vector --------------------------------------------------------------------


def test_given_published_vector_when_signed_then_expected_signature(vector):
    at = datetime.fromtimestamp(vector["timestamp"], tz=UTC)
    headers = signed_headers(vector["secret"], vector["msgId"], at, vector["payload"])
    assert headers == {
        "webhook-id": vector["msgId"],
        "webhook-timestamp": str(vector["timestamp"]),
        "webhook-signature": vector["expectedSignature"],
        "content-type": "application/json",
    }


def test_given_published_vector_when_verified_at_its_time_then_its_id(vector):
    at = datetime.fromtimestamp(vector["timestamp"], tz=UTC)
    headers = {
        "webhook-id": vector["msgId"],
        "webhook-timestamp": str(vector["timestamp"]),
        "webhook-signature": vector["expectedSignature"],
    }
    assert verify([vector["secret"]], headers, vector["payload"].encode(), at) == vector["msgId"]


def test_given_time_in_another_zone_when_signed_then_same_instant_same_signature(vector):
    # The library's sign() replaces the zone with UTC; ours converts, so Beijing time signs the same.
    utc = datetime.fromtimestamp(vector["timestamp"], tz=UTC)
    beijing = utc.astimezone(timezone(timedelta(hours=8)))
    headers = signed_headers(vector["secret"], vector["msgId"], beijing, vector["payload"])
    assert headers["webhook-timestamp"] == str(vector["timestamp"])
    assert headers["webhook-signature"] == vector["expectedSignature"]


# --- secrets and signing ---------------------------------------------------------------------


def test_given_new_secret_then_prefixed_32_random_bytes_that_sign_and_verify():
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert verify([first], _signed(first), BODY.encode(), NOW) == "msg_1"


def test_given_naive_time_then_refused_as_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        signed_headers(SECRET, "msg_1", datetime(2025, 3, 1, 8, 0), BODY)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify([SECRET], _signed(), BODY.encode(), datetime(2025, 3, 1, 8, 0))


def test_given_good_delivery_when_header_names_in_any_case_then_verified():
    headers = {name.title(): value for name, value in _signed().items()}
    assert "Webhook-Signature" in headers
    assert verify([SECRET], headers, BODY.encode(), NOW) == "msg_1"


# --- timestamps ------------------------------------------------------------------------------


def test_given_timestamp_within_tolerance_either_side_then_accepted():
    assert verify([SECRET], _signed(), BODY.encode(), NOW + timedelta(minutes=5)) == "msg_1"
    assert verify([SECRET], _signed(), BODY.encode(), NOW - timedelta(minutes=5)) == "msg_1"


def test_given_stale_timestamp_then_rejected_as_too_old():
    error = _rejected([SECRET], _signed(), now=NOW + timedelta(minutes=5, seconds=1))
    assert (error.field, error.message) == ("webhook-timestamp", "webhook-timestamp is too old")
    assert error.status == 401


def test_given_future_timestamp_then_rejected():
    error = _rejected([SECRET], _signed(), now=NOW - timedelta(minutes=5, seconds=1))
    assert (error.field, error.message) == ("webhook-timestamp", "webhook-timestamp is in the future")


def test_given_custom_tolerance_then_applied():
    with pytest.raises(WebhookRejected, match="too old"):
        verify([SECRET], _signed(), BODY.encode(), NOW + timedelta(seconds=31), tolerance=timedelta(seconds=30))


@pytest.mark.parametrize("stamp", ["abc", "1740816000.5", "+1740816000", " ", "1_740_816_000", "١٧٤٠٨١٦٠٠٠", "-1"])
def test_given_timestamp_not_integer_seconds_then_rejected(stamp):
    headers = {**_signed(), "webhook-timestamp": stamp}
    error = _rejected([SECRET], headers)
    assert error.field == "webhook-timestamp"


# --- body and signatures ---------------------------------------------------------------------


def test_given_tampered_body_then_rejected():
    tampered = BODY.replace("C1", "C2").encode()
    error = _rejected([SECRET], _signed(), body=tampered)
    assert (error.field, error.message) == ("webhook-signature", "no webhook-signature matches")


def test_given_body_reserialised_then_rejected_since_raw_bytes_are_signed():
    reserialised = json.dumps(json.loads(BODY)).encode()  # same JSON, different bytes (spaces, \\u escapes)
    _rejected([SECRET], _signed(), body=reserialised)


def test_given_body_not_utf8_then_rejected():
    error = _rejected([SECRET], _signed(), body=b"\xff\xfe{}")
    assert error.message == "body is not valid UTF-8"


def test_given_wrong_secret_then_rejected():
    _rejected([new_secret()], _signed())


def test_given_no_secret_configured_then_rejected():
    assert "no signing secret" in _rejected([], _signed()).message


def test_given_previous_secret_listed_during_rotation_then_accepted():
    previous, current = SECRET, new_secret()
    signed_with_previous = _signed(previous)
    assert verify([current, previous], signed_with_previous, BODY.encode(), NOW) == "msg_1"
    _rejected([current], signed_with_previous)  # once the previous one is dropped, it no longer verifies


def test_given_several_signatures_in_header_when_one_matches_then_accepted():
    other = _signed(new_secret())["webhook-signature"]
    good = _signed()["webhook-signature"]
    headers = {**_signed(), "webhook-signature": f"{other}  v1,not-base64!! junk {good}"}
    assert verify([SECRET], headers, BODY.encode(), NOW) == "msg_1"


def test_given_correct_signature_under_other_version_then_ignored():
    digest = _signed()["webhook-signature"].removeprefix("v1,")
    for signature in (f"v2,{digest}", f"v1a,{digest}", f"V1,{digest}", f"v1a,{digest} v2,{digest}"):
        error = _rejected([SECRET], {**_signed(), "webhook-signature": signature})
        assert error.message == "webhook-signature holds no v1 signature"


def test_given_signature_of_another_id_then_rejected():
    # The id is signed: a captured delivery cannot be replayed under a fresh id past de-duplication.
    headers = {**_signed(), "webhook-id": "msg_2"}
    _rejected([SECRET], headers)


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_given_header_missing_or_empty_then_rejected_naming_it(name):
    headers = _signed()
    for value in (None, ""):
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
        error = _rejected([SECRET], headers)
        assert (error.field, error.message) == (name, f"missing {name} header")


# --- webhook URLs ----------------------------------------------------------------------------


@pytest.fixture
def no_dns(monkeypatch):
    """Fail the test if a resolution reaches DNS (IP literals and obviously bad URLs need none)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"getaddrinfo called with {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _resolving_to(monkeypatch, *addresses: str) -> list[tuple]:
    calls: list[tuple] = []

    def fake(host, port, *args, **kwargs):
        calls.append((host, port))
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port, 0, 0) if ":" in a else (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


def _refused(url: str, *, allow_private: bool = False, require_https: bool = True) -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_url(url, allow_private=allow_private, require_https=require_https)
    assert caught.value.field == "webhookUrl"
    return caught.value.message


def test_given_public_https_host_then_accepted(monkeypatch):
    calls = _resolving_to(monkeypatch, "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    check_url("https://claims.insurer.example/webhooks/yunchetong?v=1", allow_private=False, require_https=True)
    assert calls == [("claims.insurer.example", 443)]
    check_url("https://claims.insurer.example:8443/hook", allow_private=False, require_https=True)
    assert calls[-1] == ("claims.insurer.example", 8443)


@pytest.mark.usefixtures("no_dns")
@pytest.mark.parametrize(
    ("url", "require_https", "reason"),
    [
        ("http://claims.insurer.example/hook", True, "must use https"),
        ("ftp://claims.insurer.example/hook", False, "must use http or https"),
        ("file:///etc/passwd", False, "must use http or https"),
        ("claims.insurer.example/hook", False, "must use http or https"),
        ("https:///hook", True, "no host"),
        ("https://user:pw@claims.insurer.example/hook", True, "credentials"),
        ("https://user@claims.insurer.example/hook", True, "credentials"),
        ("https://claims.insurer.example:99999/hook", True, "does not parse"),
        ("https://claims.insurer\n.example/hook", True, "control characters"),
        ("https://claims.insurer.example/a hook", True, "spaces"),
    ],
)
def test_given_malformed_url_then_refused(url, require_https, reason):
    assert reason in _refused(url, require_https=require_https)


@pytest.mark.usefixtures("no_dns")
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[fe80::1]/hook",
        "https://8.8.8.8/hook",  # public, but partners are named hosts: a literal is refused outright
    ],
)
def test_given_ip_literal_host_then_refused_without_dns(url):
    assert "not an IP address" in _refused(url)


def test_given_localhost_then_refused_as_loopback():
    assert "a loopback address" in _refused("https://localhost/hook")


def test_given_numeric_shorthand_for_loopback_then_resolved_and_refused():
    # "127.1" is not an IP literal to ipaddress, but the resolver (inet_aton) reads it as 127.0.0.1.
    assert "127.0.0.1, a loopback address" in _refused("https://127.1/hook")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "a private"),
        ("172.16.3.4", "a private"),
        ("169.254.169.254", "a link-local"),
        ("224.0.0.251", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("0.0.0.0", "an unspecified"),  # noqa: S104 - an address under test, not a bind
        ("100.64.0.1", "a non-global"),
        ("::1", "a loopback"),
        ("fd00::1", "a private"),
        ("fe80::1", "a link-local"),
        ("ff02::1", "a multicast"),
        ("::", "an unspecified"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("::ffff:10.0.0.5", "a private"),
        ("::ffff:169.254.169.254", "a link-local"),
    ],
)
def test_given_name_resolving_inside_then_refused(monkeypatch, address, kind):
    _resolving_to(monkeypatch, address)
    assert f"{kind} address" in _refused("https://claims.insurer.example/hook")


def test_given_name_with_one_inside_answer_among_public_ones_then_refused(monkeypatch):
    _resolving_to(monkeypatch, "93.184.215.14", "10.0.0.5")
    assert "10.0.0.5" in _refused("https://claims.insurer.example/hook")


def test_given_unresolvable_host_then_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert "does not resolve" in _refused("https://no-such-host.insurer.example/hook")
    _resolving_to(monkeypatch)  # an empty answer is no answer
    assert "does not resolve" in _refused("https://no-such-host.insurer.example/hook")


def test_given_label_too_long_for_idna_then_refused_as_unresolvable():
    assert "does not resolve" in _refused(f"https://{'a' * 70}.example/hook")


@pytest.mark.usefixtures("no_dns")
def test_given_allow_private_then_loopback_accepted_without_dns_but_other_rules_hold():
    check_url("http://127.0.0.1:8001/insurers/PICC/webhook", allow_private=True, require_https=False)
    check_url("http://localhost:8001/insurers/PICC/webhook", allow_private=True, require_https=False)
    assert "must use https" in _refused("http://127.0.0.1:8001/hook", allow_private=True, require_https=True)
    assert "credentials" in _refused("http://u:p@127.0.0.1:8001/hook", allow_private=True, require_https=False)


def test_module_is_import_light():
    # The deliverer, the API and the local sandbox import it; boto3 would slow every cold start.
    probe = "import sys, chalicelib.integrations.webhooks; print(sorted(m for m in ('boto3', 'botocore', 'pynamodb') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert result.stdout.strip() == "[]"
