"""The presigned PUT signs what S3 must enforce (moto's S3 does not check signatures)."""

import base64
import hashlib
from urllib.parse import parse_qs, urlparse

from chalicelib.integrations import evidence_store


def test_given_declared_shot_when_presigned_then_type_length_and_checksum_are_signed(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from chalicelib.integrations.aws import reset_clients

    reset_clients()
    content = b"jpeg bytes"
    digest = hashlib.sha256(content).hexdigest()
    upload = evidence_store.presign_upload("uploads/C1/E1", "image/jpeg", len(content), digest)
    query = parse_qs(urlparse(upload.url).query)
    signed = set(query["X-Amz-SignedHeaders"][0].split(";"))
    assert {"host", "content-type", "content-length", "x-amz-checksum-sha256"} <= signed
    assert query["X-Amz-Expires"] == ["600"]
    assert upload.headers == {
        "Content-Type": "image/jpeg",
        "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(content).digest()).decode(),
    }
    reset_clients()
