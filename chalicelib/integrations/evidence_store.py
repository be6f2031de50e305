"""Evidence in S3: uploads go to a staging key by presigned PUT; the verified version of a shot is
copied to a write-once key, locked (compliance mode) by the copy request itself; staging objects
expire by the bucket's lifecycle rule (`STAGING_DAYS`)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import file_signatures
from chalicelib.domain.evidence import Camera
from chalicelib.integrations import camera_metadata
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings

_CHUNK = 1 << 20
STAGING_PREFIX = "uploads/"
# Staging uploads expire this many days after their last PUT (the lifecycle rule on `uploads/`, in
# infra/cdk/storage.py and infra/local/resources.py); their noncurrent versions a day later.
STAGING_DAYS = 1


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
    version: str | None = None  # the version read: the one sealed, whatever is PUT afterwards
    camera: Camera | None = None
    head: bytes = b""  # the first bytes (`file_signatures.HEAD_BYTES`): what the file says it is


@dataclass(frozen=True)
class SealedCopy:
    version: str
    locked: bool


def upload_key(case_id: str, evidence_id: str) -> str:
    return f"{STAGING_PREFIX}{case_id}/{evidence_id}"


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


def _head(key: str) -> dict[str, Any] | None:
    """The object's current version's metadata; None if there is none."""
    s3 = client("s3")
    try:
        return dict(s3.head_object(Bucket=get_settings().evidence_bucket, Key=key))
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise


def inspect(key: str, max_bytes: int, camera_utc_offset: str | None = None) -> StoredObject | None:
    """Size, SHA-256, type, version and first bytes of the stored object, read by the server itself;
    None if absent. With `camera_utc_offset`, the EXIF in the first bytes of that same read is parsed as well.
    One GET: its headers give the version, size and type before any of the body is read, and a body
    over `max_bytes` is closed unread."""
    s3 = client("s3")
    try:
        found = s3.get_object(Bucket=get_settings().evidence_bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    version, content_type, body = found.get("VersionId"), found.get("ContentType", ""), found["Body"]
    if found["ContentLength"] > max_bytes:
        body.close()
        return StoredObject(size=found["ContentLength"], sha256="", content_type=content_type, version=version)
    digest = hashlib.sha256()
    size, start = 0, b""
    for chunk in iter(lambda: body.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if len(start) < camera_metadata.HEAD_BYTES:
            start += chunk[: camera_metadata.HEAD_BYTES - len(start)]
    camera = camera_metadata.read(start, camera_utc_offset) if camera_utc_offset else None
    return StoredObject(
        size=size, sha256=digest.hexdigest(), content_type=content_type, version=version, camera=camera,
        head=start[: file_signatures.HEAD_BYTES],
    )


def sealed_copy(target_key: str) -> SealedCopy | None:
    """The sealed copy already made (by a completion that stopped before recording it), if any."""
    head = _head(target_key)
    if head is None:
        return None
    return SealedCopy(version=str(head.get("VersionId") or ""), locked=head.get("ObjectLockMode") == "COMPLIANCE")


def _retention(retain_days: int) -> dict[str, Any]:
    return {"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=retain_days)}


def seal(source_key: str, source_version: str | None, target_key: str, retain_days: int) -> str:
    """Copy that exact version to the write-once key, locked by the copy request itself (no version of
    the sealed key ever exists unlocked); returns the sealed version id."""
    bucket = get_settings().evidence_bucket
    source = {"Bucket": bucket, "Key": source_key} | ({"VersionId": source_version} if source_version else {})
    retention = _retention(retain_days)
    copied = client("s3").copy_object(
        Bucket=bucket, Key=target_key, CopySource=source, MetadataDirective="COPY",
        ObjectLockMode=retention["Mode"], ObjectLockRetainUntilDate=retention["RetainUntilDate"],
    )
    return str(copied.get("VersionId") or "")


def lock(target_key: str, version: str, retain_days: int) -> None:
    """Compliance-mode retention on an exact version copied unlocked (by a two-step seal before the
    copy locked itself, that crashed between its copy and its lock)."""
    client("s3").put_object_retention(
        Bucket=get_settings().evidence_bucket, Key=target_key, VersionId=version, Retention=_retention(retain_days)
    )


def discard(key: str) -> None:
    client("s3").delete_object(Bucket=get_settings().evidence_bucket, Key=key)


def download_url(key: str, version: str | None, seconds: int) -> tuple[str, datetime]:
    """A link to a sealed shot that expires (for an insurer's first notice of loss)."""
    params = {"Bucket": get_settings().evidence_bucket, "Key": key}
    if version:
        params["VersionId"] = version
    url = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return url, datetime.now(UTC) + timedelta(seconds=seconds)
