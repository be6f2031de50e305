"""Issued documents in S3: written, then locked (COMPLIANCE) once the case records them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class StoredDocument:
    key: str
    version: str
    sha256: str
    size: int


def document_key(case_id: str, document_id: str) -> str:
    return f"documents/{case_id}/{document_id}.pdf"


def put(key: str, pdf: bytes) -> StoredDocument:
    """Stored unlocked: if the case transaction then fails, `discard` removes it, leaving no orphan."""
    digest = hashlib.sha256(pdf).hexdigest()
    written = client("s3").put_object(
        Bucket=get_settings().documents_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        ChecksumAlgorithm="SHA256",
    )
    return StoredDocument(key=key, version=str(written.get("VersionId") or ""), sha256=digest, size=len(pdf))


def lock(document: StoredDocument) -> None:
    settings = get_settings()
    client("s3").put_object_retention(
        Bucket=settings.documents_bucket,
        Key=document.key,
        VersionId=document.version,
        Retention={
            "Mode": "COMPLIANCE",
            "RetainUntilDate": datetime.now(UTC) + timedelta(days=settings.document_retention_days),
        },
    )


def discard(document: StoredDocument) -> None:
    client("s3").delete_object(Bucket=get_settings().documents_bucket, Key=document.key, VersionId=document.version)


def current_sha256(key: str) -> str | None:
    """SHA-256 of what is stored under the key now (None if nothing is)."""
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=get_settings().documents_bucket, Key=key)["Body"]
    except s3.exceptions.NoSuchKey:
        return None
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def download_url(key: str, version: str | None) -> tuple[str, datetime]:
    settings = get_settings()
    params = {"Bucket": settings.documents_bucket, "Key": key, "ResponseContentType": "application/pdf"}
    if version:
        params["VersionId"] = version
    url = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=settings.download_url_seconds)
    return url, datetime.now(UTC) + timedelta(seconds=settings.download_url_seconds)
