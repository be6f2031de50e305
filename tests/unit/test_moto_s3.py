"""The local S3's moto patch (infra/local/moto_s3.py): a CopyObject that locks its copy is taken as S3
takes it (no Content-MD5: CopyObject has no body), and locks the copy."""

from datetime import UTC, datetime, timedelta

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import moto_s3

LOCKED, PLAIN = "locked-bucket-under-test", "plain-bucket-under-test"
UNTIL = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)


@pytest.fixture
def s3():
    moto_s3.install()
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
        client.create_bucket(Bucket=LOCKED, ObjectLockEnabledForBucket=True)
        client.create_bucket(Bucket=PLAIN)
        yield client


def _copy(s3, bucket, version=None, **lock):
    source = {"Bucket": LOCKED, "Key": "uploads/shot"} | ({"VersionId": version} if version else {})
    return s3.copy_object(Bucket=bucket, Key="evidence/shot", CopySource=source, **lock)


def test_given_a_copy_with_compliance_mode_and_date_then_the_copied_version_is_locked_until_that_date(s3):
    first = s3.put_object(Bucket=LOCKED, Key="uploads/shot", Body=b"verified")["VersionId"]
    s3.put_object(Bucket=LOCKED, Key="uploads/shot", Body=b"put later")

    copied = _copy(s3, LOCKED, first, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=UNTIL)

    head = s3.head_object(Bucket=LOCKED, Key="evidence/shot", VersionId=copied["VersionId"])  # moto has no GetObjectRetention
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ObjectLockRetainUntilDate"] == UNTIL
    body = s3.get_object(Bucket=LOCKED, Key="evidence/shot", VersionId=copied["VersionId"])["Body"].read()
    assert body == b"verified"
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=LOCKED, Key="evidence/shot", VersionId=copied["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_given_a_bucket_without_object_lock_then_a_locking_copy_is_refused(s3):
    s3.put_object(Bucket=LOCKED, Key="uploads/shot", Body=b"verified")

    with pytest.raises(ClientError) as refused:
        _copy(s3, PLAIN, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=UNTIL)
    assert refused.value.response["Error"]["Code"] == "InvalidRequest"


def test_the_patch_was_written_against_the_installed_moto():
    assert moto.__version__ == moto_s3.PATCHED_MOTO, (
        f"moto is {moto.__version__}: re-read moto.s3.responses.S3Response._key_response_put and copy_object, "
        "bring infra/local/moto_s3.py in step, then update PATCHED_MOTO")
