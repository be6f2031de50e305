"""moto's S3, taking a CopyObject that locks its copy as S3 does (ADR 0040, "S3 requests").

moto 5.2 asks every PUT carrying Object Lock headers for a Content-MD5 or x-amz-sdk-checksum-algorithm
header, CopyObject included. S3 asks it of uploads only: CopyObject sends no body, and its API has
no Content-MD5 member and no request checksum (botocore's model for it has neither), so no SDK
could send one. The replacement sends a plain copy (no part copy, no sub-resource) with lock headers
straight to moto's own `copy_object`, after moto's own authorisation and a bucket without Object
Lock refused as moto does; every other PUT keeps moto's path.

`install()` is called by the local stack before its moto server starts and by the tests' session
fixture. `PATCHED_MOTO` is the moto version this was written against (a unit test checks it).
"""

from __future__ import annotations

from typing import Any

PATCHED_MOTO = "5.2.5"

_LOCK_HEADERS = ("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date")
_SUB_RESOURCES = ("uploadId", "partNumber", "retention", "legal-hold", "acl", "tagging")


def _locking_copy(headers: Any, query: dict[str, Any]) -> bool:
    return (
        "x-amz-copy-source" in headers
        and not any(name in query for name in _SUB_RESOURCES)
        and any(headers.get(name) for name in _LOCK_HEADERS)
    )


def install() -> None:
    from moto.s3.exceptions import LockNotEnabled
    from moto.s3.responses import S3Response

    if getattr(S3Response._key_response_put, "locking_copy_patch", False):
        return
    original = S3Response._key_response_put

    def key_response_put(self: Any, query: dict[str, Any], key_name: str) -> Any:
        if not _locking_copy(self.headers, query):
            return original(self, query, key_name)
        self._set_action("KEY", "PUT", query)
        self._authenticate_and_authorize_s3_action(bucket_name=self.bucket_name, key_name=key_name)
        if not self.backend.get_bucket(self.bucket_name).object_lock_enabled:
            raise LockNotEnabled
        return self.copy_object()

    key_response_put.locking_copy_patch = True  # type: ignore[attr-defined]
    S3Response._key_response_put = key_response_put
