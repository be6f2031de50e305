"""Evidence in S3: uploads go to a staging key by presigned PUT; verified shots are copied to a
write-once key (Object Lock, compliance mode) and the staging object is removed."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

_CHUNK = 1 << 20


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    headers: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    size: int
    sha256: str
    content_type: str


def upload_key(case_id: str, evidence_id: str) -> str:
    return f"uploads/{case_id}/{evidence_id}"


def evidence_key(case_id: str, evidence_id: str) -> str:
    return f"evidence/{case_id}/{evidence_id}"


def presign_upload(key: str, content_type: str, size: int, sha256_hex: str) -> PresignedUpload:
    settings = get_settings()
    checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")
    # Content type, length and checksum are signed: S3 refuses a body that differs from the declaration.
    url = client("s3").generate_presigned_url(
        "put_object",
        Params={
            "Bucket": settings.evidence_bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
            "ChecksumSHA256": checksum,
        },
        ExpiresIn=settings.upload_url_seconds,
        HttpMethod="PUT",
    )
    headers = {"Content-Type": content_type, "x-amz-checksum-sha256": checksum}
    expires_at = datetime.now(UTC) + timedelta(seconds=settings.upload_url_seconds)
    return PresignedUpload(url=url, headers=headers, expires_at=expires_at)


def inspect(key: str, max_bytes: int) -> StoredObject | None:
    """Size, SHA-256 and type of the stored object, read by the server itself; None if absent."""
    s3 = client("s3")
    bucket = get_settings().evidence_bucket
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    if head["ContentLength"] > max_bytes:
        return StoredObject(size=head["ContentLength"], sha256="", content_type=head.get("ContentType", ""))
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: body.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    return StoredObject(size=size, sha256=digest.hexdigest(), content_type=head.get("ContentType", ""))


def seal(source_key: str, target_key: str, retain_days: int) -> str:
    """Copy to the write-once key under a compliance-mode retention; returns the version id."""
    s3 = client("s3")
    bucket = get_settings().evidence_bucket
    copied = s3.copy_object(
        Bucket=bucket, Key=target_key, CopySource={"Bucket": bucket, "Key": source_key}, MetadataDirective="COPY"
    )
    version = str(copied.get("VersionId") or "")
    # Retention is set on the exact version copied; the staging object goes only once it is locked.
    s3.put_object_retention(
        Bucket=bucket,
        Key=target_key,
        VersionId=version,
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=retain_days)},
    )
    s3.delete_object(Bucket=bucket, Key=source_key)
    return version


def discard(key: str) -> None:
    client("s3").delete_object(Bucket=get_settings().evidence_bucket, Key=key)


def download_url(key: str, version: str | None, seconds: int) -> tuple[str, datetime]:
    """A link to a sealed shot that expires (for an insurer's first notice of loss)."""
    params = {"Bucket": get_settings().evidence_bucket, "Key": key}
    if version:
        params["VersionId"] = version
    url = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return url, datetime.now(UTC) + timedelta(seconds=seconds)
