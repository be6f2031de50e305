"""Evidence in S3: uploads go to a staging key by presigned PUT; the verified version of a shot is
copied to a write-once key (Object Lock, compliance mode); the staging object is removed last."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.evidence import Camera
from chalicelib.integrations import camera_metadata
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
    version: str | None = None  # the version read: the one sealed, whatever is PUT afterwards
    camera: Camera | None = None


@dataclass(frozen=True)
class SealedCopy:
    version: str
    locked: bool


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
    """Size, SHA-256, type and version of the stored object, read by the server itself; None if absent.
    With `camera_utc_offset`, the EXIF in the first bytes of that same read is parsed as well."""
    head = _head(key)
    if head is None:
        return None
    version = head.get("VersionId")
    if head["ContentLength"] > max_bytes:
        return StoredObject(size=head["ContentLength"], sha256="", content_type=head.get("ContentType", ""), version=version)
    params = {"Bucket": get_settings().evidence_bucket, "Key": key} | ({"VersionId": version} if version else {})
    body = client("s3").get_object(**params)["Body"]
    digest = hashlib.sha256()
    size, start = 0, b""
    for chunk in iter(lambda: body.read(_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if len(start) < camera_metadata.HEAD_BYTES:
            start += chunk[: camera_metadata.HEAD_BYTES - len(start)]
    camera = camera_metadata.read(start, camera_utc_offset) if camera_utc_offset else None
    return StoredObject(size=size, sha256=digest.hexdigest(), content_type=head.get("ContentType", ""), version=version, camera=camera)


def sealed_copy(target_key: str) -> SealedCopy | None:
    """The sealed copy already made (by a completion that stopped before recording it), if any."""
    head = _head(target_key)
    if head is None:
        return None
    return SealedCopy(version=str(head.get("VersionId") or ""), locked=head.get("ObjectLockMode") == "COMPLIANCE")


def seal(source_key: str, source_version: str | None, target_key: str, retain_days: int) -> str:
    """Copy that exact version to the write-once key and lock it; returns the sealed version id."""
    s3 = client("s3")
    bucket = get_settings().evidence_bucket
    source = {"Bucket": bucket, "Key": source_key} | ({"VersionId": source_version} if source_version else {})
    copied = s3.copy_object(Bucket=bucket, Key=target_key, CopySource=source, MetadataDirective="COPY")
    version = str(copied.get("VersionId") or "")
    lock(target_key, version, retain_days)
    return version


def lock(target_key: str, version: str, retain_days: int) -> None:
    """Compliance-mode retention on the exact version (set apart from the copy: same on S3 and moto)."""
    client("s3").put_object_retention(
        Bucket=get_settings().evidence_bucket,
        Key=target_key,
        VersionId=version,
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(days=retain_days)},
    )


def exists(key: str) -> bool:
    return _head(key) is not None


def discard(key: str) -> None:
    client("s3").delete_object(Bucket=get_settings().evidence_bucket, Key=key)


def download_url(key: str, version: str | None, seconds: int) -> tuple[str, datetime]:
    """A link to a sealed shot that expires (for an insurer's first notice of loss)."""
    params = {"Bucket": get_settings().evidence_bucket, "Key": key}
    if version:
        params["VersionId"] = version
    url = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return url, datetime.now(UTC) + timedelta(seconds=seconds)
