"""The direct-pay QR keys (`integrations/qr_keys.py`): the secret, rotation, the published key set
at `/.well-known/medical-qr-keys` and the offline verifier (`python -m chalicelib.tools.verify_qr`)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.domain.medical_qr import QrGrant, sign_grant, verify_grant
from chalicelib.integrations import qr_keys
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from chalicelib.tools.verify_qr import public_keys as keys_from_document

NOW = datetime.now(UTC).replace(microsecond=0)


def grant_signed_now(hospital: str = "YC-H01", *, issued_at: datetime = NOW, hours: int = 24) -> tuple[QrGrant, str]:
    kid, private_key = qr_keys.signing_key()
    grant = QrGrant("T0123456789ABCDEF", "MA7Q2K9XW4R8T1ZP", hospital, issued_at, issued_at + timedelta(hours=hours), kid)
    return grant, sign_grant(grant, private_key)


def test_given_a_fresh_stack_then_the_secret_exists_with_one_key_and_signs_tokens_its_public_key_verifies(aws):
    value = json.loads(client("secretsmanager").get_secret_value(SecretId=get_settings().medical_qr_secret_id)["SecretString"])
    assert set(value) == {"current", "retired"} and value["retired"] == []
    grant, token = grant_signed_now()
    assert verify_grant(token, qr_keys.public_keys(), now=NOW, hospital_code="YC-H01") == grant


def test_given_the_secret_as_cloudformation_generates_it_then_it_is_the_current_key_until_the_first_rotation(aws):
    secret_id = get_settings().medical_qr_secret_id
    client("secretsmanager").put_secret_value(
        SecretId=secret_id, SecretString="GeneratedByCloudFormation0123456789abcdefghijklmnopqrstuvwxyzABC"
    )
    qr_keys.forget_cached()
    generated_kid, _ = qr_keys.signing_key()
    assert generated_kid == qr_keys.key_id(
        qr_keys.private_key_of("GeneratedByCloudFormation0123456789abcdefghijklmnopqrstuvwxyzABC").public_key()
    )
    qr_keys.rotate(now=NOW)
    assert generated_kid in qr_keys.public_keys(NOW)
    value = json.loads(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    assert value["retired"][0]["seed"].startswith("GeneratedByCloudFormation")


def test_ensure_keeps_an_existing_key(aws):
    kid, _ = qr_keys.signing_key()
    qr_keys.ensure()
    assert qr_keys.signing_key()[0] == kid


def test_given_a_rotation_then_new_tokens_use_the_new_key_and_old_tokens_verify_until_their_key_is_retired(aws):
    old_grant, old_token = grant_signed_now()
    new_kid = qr_keys.rotate(now=NOW, keep_for=timedelta(hours=24))
    assert qr_keys.signing_key()[0] == new_kid != old_grant.key_id
    new_grant, new_token = grant_signed_now()
    assert new_grant.key_id == new_kid
    later = NOW + timedelta(hours=23)
    assert set(qr_keys.public_keys(later)) == {old_grant.key_id, new_kid}
    assert verify_grant(old_token, qr_keys.public_keys(later), now=later, hospital_code=None) == old_grant
    assert verify_grant(new_token, qr_keys.public_keys(later), now=later, hospital_code=None) == new_grant
    after = NOW + timedelta(hours=24)
    assert set(qr_keys.public_keys(after)) == {new_kid}
    # the next rotation drops the key nobody can need any more
    qr_keys.rotate(now=after)
    value = json.loads(client("secretsmanager").get_secret_value(SecretId=get_settings().medical_qr_secret_id)["SecretString"])
    assert len(value["retired"]) == 1


def test_by_default_a_retired_key_stays_published_for_a_whole_token_validity(aws):
    old_kid, _ = qr_keys.signing_key()
    qr_keys.rotate(now=NOW)
    last_old_token_expires = NOW + timedelta(hours=get_settings().medical_qr_valid_hours)
    assert old_kid in qr_keys.public_keys(last_old_token_expires)


def test_the_keys_are_published_without_authentication_as_a_jwk_set(api):
    _, token = grant_signed_now()
    reply = api.call("GET", "/.well-known/medical-qr-keys")
    assert reply.status == 200
    assert "max-age" in {k.lower(): v for k, v in reply.headers.items()}["cache-control"]
    [key] = reply.body["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA" and "d" not in key
    assert key["kid"] == qr_keys.signing_key()[0]
    # what a hospital does with the document: any JOSE library reads the keys and verifies the token
    assert verify_grant(token, keys_from_document(reply.body), now=NOW, hospital_code="YC-H01").key_id == key["kid"]


def _verify_qr(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chalicelib.tools.verify_qr", *arguments], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def keys_file(aws, tmp_path):
    path = tmp_path / "medical-qr-keys.json"
    path.write_text(json.dumps(qr_keys.published()), encoding="utf-8")
    return str(path)


def test_the_offline_verifier_prints_the_grant_of_a_genuine_token(keys_file):
    grant, token = grant_signed_now()
    done = _verify_qr(token, "--keys", keys_file, "--hospital", "YC-H01")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["token_id"] == grant.token_id and printed["hospital_code"] == "YC-H01" and printed["key_id"] == grant.key_id


@pytest.mark.parametrize(
    ("case", "reason"),
    [("forged", "QrForged"), ("expired", "QrExpired"), ("other hospital", "QrWrongHospital")],
)
def test_the_offline_verifier_refuses_with_the_reason_and_a_non_zero_exit(keys_file, case, reason):
    if case == "expired":
        _, token = grant_signed_now(issued_at=NOW - timedelta(hours=30))
    else:
        _, token = grant_signed_now("YC-H02" if case == "other hospital" else "YC-H01")
    if case == "forged":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    done = _verify_qr(token, "--keys", keys_file, "--hospital", "YC-H01")
    assert done.returncode == 1
    assert done.stderr.startswith(reason) and done.stdout == ""


def test_the_offline_verifier_reads_the_keys_from_a_url(keys_file, tmp_path):
    _, token = grant_signed_now()
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        done = _verify_qr(token, "--keys", f"http://127.0.0.1:{server.server_port}/medical-qr-keys.json")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
