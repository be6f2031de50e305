"""The storage construct (`infra/cdk/storage.py`): the table from `table_spec()`, the evidence and documents
buckets and their access-log bucket."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from chalicelib.store.models import table_spec
from tests.infra.cdk_template import Synth, data_key_id, documents_bucket, evidence_bucket, locked_buckets, one_resource, resources_of


def test_table_key_schema_and_indexes_follow_table_spec(synth: Synth) -> None:
    spec = table_spec()
    _, table = one_resource(synth, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": spec["partition_key"], "KeyType": "HASH"},
        {"AttributeName": spec["sort_key"], "KeyType": "RANGE"},
    ]
    indexes = {
        index["IndexName"]: (
            {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]},
            index["Projection"]["ProjectionType"],
            index["Projection"].get("NonKeyAttributes"),
        )
        for index in props.get("GlobalSecondaryIndexes", [])
    }
    # each index projects only what its readers use (ADR 0040), never ALL
    assert indexes == {
        index["name"]: ({"HASH": index["partition_key"], "RANGE": index["sort_key"]}, "INCLUDE", index["projected"])
        for index in spec["indexes"]
    }
    assert all(index["projected"] for index in spec["indexes"])
    key_names = {spec["partition_key"], spec["sort_key"]}
    for index in spec["indexes"]:
        key_names |= {index["partition_key"], index["sort_key"]}
    assert {(a["AttributeName"], a["AttributeType"]) for a in props["AttributeDefinitions"]} == {(name, "S") for name in key_names}


def test_table_is_on_demand_recoverable_encrypted_with_ttl_and_retained(synth: Synth) -> None:
    spec = table_spec()
    synth.assertions.has_resource(
        "AWS::DynamoDB::Table",
        {
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "TimeToLiveSpecification": {"AttributeName": spec["ttl_attribute"], "Enabled": True},
                    "SSESpecification": Match.object_like({"SSEEnabled": True}),
                    "DeletionProtectionEnabled": True,
                }
            ),
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


LOCKED_BUCKETS = {"evidence": evidence_bucket, "documents": documents_bucket}


def test_the_locked_buckets_are_evidence_and_documents(synth: Synth) -> None:
    assert set(locked_buckets(synth)) == {find(synth)[0] for find in LOCKED_BUCKETS.values()}


@pytest.mark.parametrize("name", sorted(LOCKED_BUCKETS))
def test_locked_bucket_is_versioned_locked_without_default_retention_encrypted_private_and_retained(synth: Synth, name: str) -> None:
    _, bucket = LOCKED_BUCKETS[name](synth)
    props = bucket["Properties"]
    assert props["ObjectLockEnabled"] is True
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    # No default retention: the API locks exact versions itself, and must be able to delete
    # unlocked ones (staging uploads; document drafts never recorded).
    assert "Rule" not in props.get("ObjectLockConfiguration", {}), props["ObjectLockConfiguration"]
    rules = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert len(rules) == 1
    assert rules[0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [data_key_id(synth), "Arn"]},
    }
    assert rules[0]["BucketKeyEnabled"] is True
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("name", sorted(LOCKED_BUCKETS))
def test_locked_bucket_logs_to_the_separate_private_log_bucket(synth: Synth, name: str) -> None:
    bucket_id, bucket = LOCKED_BUCKETS[name](synth)
    logging = bucket["Properties"]["LoggingConfiguration"]
    assert logging["LogFilePrefix"] == f"{name}/"
    destination = logging["DestinationBucketName"]
    assert destination.keys() == {"Ref"} and destination["Ref"] != bucket_id
    assert destination["Ref"] not in locked_buckets(synth)
    logs = synth.template["Resources"][destination["Ref"]]
    assert logs["Type"] == "AWS::S3::Bucket"
    props = logs["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    # server access logs are only delivered to SSE-S3 buckets
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert logs["DeletionPolicy"] == "Retain"


def test_every_bucket_refuses_requests_without_tls(synth: Synth) -> None:
    bucket_ids = set(resources_of(synth, "AWS::S3::Bucket"))
    enforced = set()
    for policy in resources_of(synth, "AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in (
                "false",
                False,
            ):
                enforced.add(policy["Properties"]["Bucket"]["Ref"])
    assert enforced == bucket_ids


def test_evidence_bucket_accepts_browser_uploads_from_the_public_origin(synth: Synth) -> None:
    _, bucket = evidence_bucket(synth)
    rules = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert any("PUT" in rule["AllowedMethods"] for rule in rules)
    origins = [origin for rule in rules for origin in rule["AllowedOrigins"]]
    assert "*" not in origins
    assert "PublicBaseUrl" in json.dumps(origins)  # derived from the parameter, not hard-coded


def test_documents_bucket_has_no_cors(synth: Synth) -> None:
    # Downloads are presigned GETs (navigations); nothing is uploaded from a browser.
    _, bucket = documents_bucket(synth)
    assert "CorsConfiguration" not in bucket["Properties"]


def test_evidence_bucket_expires_staging_uploads_after_a_day_and_never_sealed_evidence(synth: Synth) -> None:
    # The API deletes no staging upload (ADR 0040, "S3 requests"): the lifecycle clears them, and
    # only them (sealed evidence is locked and outside the prefix).
    from chalicelib.integrations.evidence_store import STAGING_DAYS, STAGING_PREFIX

    _, bucket = evidence_bucket(synth)
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    staging = [rule for rule in rules if rule.get("Prefix") == STAGING_PREFIX]
    assert STAGING_DAYS == 1
    assert {"ExpirationInDays": STAGING_DAYS, "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}.items() <= next(
        rule for rule in staging if "ExpirationInDays" in rule).items()
    assert any(rule.get("ExpiredObjectDeleteMarker") is True for rule in staging)
    assert all(rule.get("Prefix") in (None, STAGING_PREFIX) for rule in rules)
    assert all("ExpirationInDays" not in rule for rule in rules if rule.get("Prefix") is None)
