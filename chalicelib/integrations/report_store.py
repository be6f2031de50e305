"""Published reports in S3 (the versioned reports bucket, ADR 0028): one stable key per unit, period
and file, so a re-run writes a new version of the same keys and the previous stays as a noncurrent
version; downloads are short-lived presigned links to the exact versions a report recorded."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class StoredFile:
    name: str  # e.g. report.pdf
    content_type: str
    key: str
    version: str


def report_key(unit: str, period: str, name: str) -> str:
    """`reports/<unit>/<DAY|MONTH>-<label>/<name>`, e.g. reports/320900/DAY-2026-10-31/report.pdf."""
    return f"reports/{unit}/{period}/{name}"


def put(key: str, name: str, body: bytes, content_type: str) -> StoredFile:
    written = client("s3").put_object(
        Bucket=get_settings().reports_bucket, Key=key, Body=body, ContentType=content_type, ChecksumAlgorithm="SHA256"
    )
    return StoredFile(name=name, content_type=content_type, key=key, version=str(written.get("VersionId") or ""))


def download_url(stored: StoredFile) -> str:
    settings = get_settings()
    params = {
        "Bucket": settings.reports_bucket,
        "Key": stored.key,
        "ResponseContentType": stored.content_type,
        "ResponseContentDisposition": f'attachment; filename="{stored.name}"',
    }
    if stored.version:
        params["VersionId"] = stored.version
    return str(client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=settings.download_url_seconds))
