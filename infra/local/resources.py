"""Create the table and buckets the app needs, from the same definitions the CDK stack uses."""

from __future__ import annotations

from typing import Any

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from chalicelib.store.models import TableDefinition

UPLOAD_CORS = {
    "CORSRules": [
        {
            "AllowedMethods": ["PUT", "GET"],  # presigned uploads from the party page, presigned views in the portal
            "AllowedOrigins": ["*"],
            "AllowedHeaders": ["Content-Type", "x-amz-checksum-sha256"],
            "MaxAgeSeconds": 600,
        }
    ]
}


def ensure_table() -> None:
    if not TableDefinition.exists():
        TableDefinition.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        client("dynamodb").update_time_to_live(
            TableName=get_settings().table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TableDefinition.expires_at.attr_name},
        )


def ensure_evidence_bucket() -> None:
    _ensure_locked_bucket(get_settings().evidence_bucket, cors=True)
    # Every start: a state folder made before the rule existed gets it too (moto keeps, not runs, it).
    client("s3").put_bucket_lifecycle_configuration(
        Bucket=get_settings().evidence_bucket, LifecycleConfiguration=staging_lifecycle()
    )


def staging_lifecycle() -> dict[str, Any]:
    """The evidence bucket's rules for staging uploads, as infra/cdk/storage.py sets them."""
    from chalicelib.integrations import evidence_store

    staging = {"Prefix": evidence_store.STAGING_PREFIX}
    return {
        "Rules": [
            {"ID": "expire-staging-uploads", "Status": "Enabled", "Filter": staging,
             "Expiration": {"Days": evidence_store.STAGING_DAYS}, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
            {"ID": "clear-staging-delete-markers", "Status": "Enabled", "Filter": staging,
             "Expiration": {"ExpiredObjectDeleteMarker": True}},
        ]
    }


def ensure_documents_bucket() -> None:
    _ensure_locked_bucket(get_settings().documents_bucket, cors=False)


def ensure_reports_bucket() -> None:
    """Versioned (a re-run keeps the previous report as a noncurrent version), private, no Object Lock."""
    _ensure_locked_bucket(get_settings().reports_bucket, cors=False, object_lock=False)


def _ensure_locked_bucket(bucket: str, cors: bool, object_lock: bool = True) -> None:
    """Versioned, Object Lock enabled unless `object_lock` is False (no default retention: the app locks
    what it verified), private."""
    s3 = client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket in existing:
        return
    region = s3.meta.region_name
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=object_lock, **extra)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    if cors:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=UPLOAD_CORS)


def ensure_medical_qr_keys() -> None:
    """The direct-pay QR signing secret, with a generated key when missing (CDK creates it in AWS)."""
    from chalicelib.integrations import qr_keys

    qr_keys.ensure()


def ensure_all() -> None:
    ensure_table()
    ensure_evidence_bucket()
    ensure_documents_bucket()
    ensure_medical_qr_keys()
    ensure_reports_bucket()


def ensure_state_machines() -> dict[str, str]:
    """Create (or bring up to date) each workflow, its functions named for the in-process hook
    (infra/local/lambdas.py); returns workflow name → state machine ARN."""
    from infra.local import lambdas
    from infra.workflows import WORKFLOWS

    sfn = client("stepfunctions")
    region = sfn.meta.region_name
    stage = get_settings().stage
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    machines = {}
    for workflow in WORKFLOWS:
        name = f"yunchetong-{stage}-{workflow.name}"
        definition = workflow.render(lambdas.arns(workflow, region, stage))
        role = f"arn:aws:iam::{lambdas.LOCAL_ACCOUNT}:role/{name}"
        if name in existing:
            sfn.update_state_machine(stateMachineArn=existing[name], definition=definition)
            machines[workflow.name] = existing[name]
        else:
            machines[workflow.name] = sfn.create_state_machine(name=name, definition=definition, roleArn=role, type="STANDARD")[
                "stateMachineArn"
            ]
    return machines
