"""The CDK deployment (`infra/cdk`): synthesised once, offline, then checked.

Checks: resources against the design (table from `table_spec()`, evidence and documents buckets,
secret, API environment and role, the webhook deliverer with its schedule, role and code, each
workflow of `infra.workflows` with its functions, roles and state machine, the rescue sweeper with
its schedule and role, alarms), cdk-nag
AwsSolutions (no unacknowledged finding, every acknowledgment has a reason), cfn-lint, and the
`python -m infra.cdk.app` entry point.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, GlobIgnoreStrategy, Stack, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import evidence_key, upload_key
from chalicelib.settings import Settings
from chalicelib.store.models import OutboxItem, RescueOrderItem, TowTruckItem, table_spec
from infra.cdk.app import build_app
from infra.cdk.stack import FUNCTION_CODE_EXCLUDE, PROJECT_ROOT, DeployedWorkflow, YunchetongStack, function_code
from infra.workflows import PARTITION, RESCUE, WORKFLOWS

STAGE = "test"
REGION = "ap-east-1"
SYNTH_ENV = {
    "AWS_DEFAULT_REGION": REGION,  # chalice's packager wants a region; the template has none
    "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in chalicelib, so the package is stable
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
# WeChat and SMS, the same in both functions: the real providers, the account from parameters.
MESSAGING_ENV = {
    "SMS_PROVIDER": "sns",
    "WECHAT_OAUTH": "wechat",
    "WECHAT_TOKEN": {"Ref": "WechatToken"},
    "WECHAT_APP_ID": {"Ref": "WechatAppId"},
    "WECHAT_ENCODING_AES_KEY": {"Ref": "WechatEncodingAesKey"},
    "WECHAT_PREVIOUS_ENCODING_AES_KEY": {"Ref": "WechatPreviousEncodingAesKey"},
}
EXPECTED_ENV = (
    "STAGE",
    "TABLE_NAME",
    "EVIDENCE_BUCKET",
    "DOCUMENTS_BUCKET",
    "APP_SECRETS_ID",
    "INSURER_SECRET_PREFIX",
    "PUBLIC_BASE_URL",
    *MESSAGING_ENV,
)
DELIVERER_ENV = (
    "STAGE",
    "TABLE_NAME",
    "EVIDENCE_BUCKET",
    "DOCUMENTS_BUCKET",
    "APP_SECRETS_ID",  # tokenSecret for the case links in notices, wechatAppSecret
    "INSURER_SECRET_PREFIX",
    "PUBLIC_BASE_URL",
    "POWERTOOLS_SERVICE_NAME",
    *MESSAGING_ENV,
)
# Every action each role is granted: anything new must be added here on purpose.
API_ACTIONS = {
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "s3:PutObject",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectRetention",
    "s3:ListBucket",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DescribeSecret",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    # the rescue workflow: start a run, cancel one, answer a waiting step (driver's answers, reports)
    "states:StartExecution",
    "states:StopExecution",
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
}
DELIVERER_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "secretsmanager:GetSecretValue",
    "sns:Publish",  # party notices by SMS
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
# A workflow's task functions (chalicelib.services.rescue_steps): read the case and trucks, write the
# case's transaction, answer their own waiting task.
WORKFLOW_FUNCTION_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "states:SendTaskSuccess",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
WORKFLOW_FUNCTION_ENV = {"STAGE", "TABLE_NAME", "POWERTOOLS_SERVICE_NAME"}
RESCUE_SWEEPER_HANDLER = "functions.rescue_sweeper.handler.handler"
# The rescue sweeper (rescue_steps.release_orphans): open orders through the dispatch queue index,
# their runs' status, then the task functions' compensation (case Query, truck GetItem, the case's
# TransactWriteItems of Puts). It never starts, stops or answers a run.
RESCUE_SWEEPER_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "states:DescribeExecution",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
RESCUE_SWEEPER_ENV = {*WORKFLOW_FUNCTION_ENV, "RESCUE_STATE_MACHINE_ARN"}
# A state machine's role: invoke its functions; log delivery and X-Ray take no resource ARN.
STATE_MACHINE_STAR_ACTIONS = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
}
# The statements on Resource "*": X-Ray (no resource-level permissions) and, for the deliverer,
# SMS to phone numbers (no resource ARN).
STAR_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish"}
INSURER_SECRET_PREFIX = f"yunchetong/{STAGE}/insurers"


def _arn(service: str, resource: str) -> dict[str, Any]:
    """arn:<partition>:<service>:<region>:<account>:<resource>, as Stack.format_arn renders it."""
    return {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":{service}:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, f":{resource}"],
        ]
    }


INSURER_SECRETS_ARN = _arn("secretsmanager", f"secret:{INSURER_SECRET_PREFIX}/*")
# Folders of the project root that must never be shipped with a function.
NOT_SHIPPED = (".venv", ".local", ".git", "tests", "infra", "bench", "cdk.out", "chalice.out")
# What document_store does on documents/...: put, get (hash), get a version (presigned download),
# lock the recorded version, delete the exact version of an unrecorded draft.
DOCUMENT_ACTIONS = {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectRetention", "s3:DeleteObjectVersion"}


@dataclass
class Synth:
    stack: YunchetongStack
    outdir: Path
    template_path: Path
    template: dict[str, Any]
    assertions: Template
    # cdk-nag findings from <outdir>/validation-report.json: {"rule", "severity", "paths"}
    violations: list[dict[str, Any]]
    nag_errors: list[Any]  # AwsSolutions errors and warnings as annotations (cdk-nag 2 style)
    nag_warnings: list[Any]
    warnings: list[Any]  # every warning annotation
    synth_error: Exception | None


def _read_violations(outdir: Path) -> list[dict[str, Any]]:
    report_path = outdir / "validation-report.json"
    if not report_path.exists():
        return []
    report = json.loads(report_path.read_text())
    return [
        {
            "rule": violation["ruleName"],
            "severity": violation["severity"],
            "paths": [c["constructPath"] for c in violation["violatingConstructs"]],
        }
        for plugin in report.get("pluginReports", [])
        for violation in plugin.get("violations", [])
    ]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    workdir = tmp_path_factory.mktemp("cdk-synth")
    outdir = workdir / "cdk.out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SYNTH_ENV.items():
            patch.setenv(name, value)
        patch.setattr(sys, "dont_write_bytecode", True)
        patch.chdir(workdir)  # chalice.cdk writes chalice.out/ into the working directory
        app, stack = build_app(outdir=str(outdir), stage=STAGE)
        synth_error: Exception | None = None
        try:
            app.synth()
        except RuntimeError as exc:  # cdk-nag findings fail the synth; the report lists them
            if not (outdir / "validation-report.json").exists():
                raise
            synth_error = exc
        nag_errors: list[Any] = []
        nag_warnings: list[Any] = []
        warnings: list[Any] = []
        if synth_error is None:
            annotations = Annotations.from_stack(stack)
            nag = Match.string_like_regexp("AwsSolutions-.*")
            nag_errors = list(annotations.find_error("*", nag))
            nag_warnings = list(annotations.find_warning("*", nag))
            warnings = list(annotations.find_warning("*", Match.any_value()))
    template_path = outdir / f"{stack.artifact_id}.template.json"
    template = json.loads(template_path.read_text())
    return Synth(
        stack=stack,
        outdir=outdir,
        template_path=template_path,
        template=template,
        assertions=Template.from_json(template),
        violations=_read_violations(outdir),
        nag_errors=nag_errors,
        nag_warnings=nag_warnings,
        warnings=warnings,
        synth_error=synth_error,
    )


def _resources(synth: Synth, resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in synth.template["Resources"].items() if v["Type"] == resource_type}


def _one(synth: Synth, resource_type: str) -> tuple[str, dict[str, Any]]:
    found = _resources(synth, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def _locked_buckets(synth: Synth) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in _resources(synth, "AWS::S3::Bucket").items() if v["Properties"].get("ObjectLockEnabled")}


def _bucket(synth: Synth, bucket: Any) -> tuple[str, dict[str, Any]]:
    logical_id = synth.stack.resolve(bucket.node.default_child.logical_id)
    return logical_id, synth.template["Resources"][logical_id]


def _evidence_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return _bucket(synth, synth.stack.storage.evidence)


def _documents_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return _bucket(synth, synth.stack.storage.documents)


def _data_key_id(synth: Synth) -> str:
    return synth.stack.resolve(synth.stack.storage.data_key.node.default_child.logical_id)


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _logical_id(synth: Synth, construct: Any) -> str:
    return synth.stack.resolve(construct.node.default_child.logical_id)


def _role(synth: Synth, role: Any) -> tuple[str, dict[str, Any]]:
    logical_id = _logical_id(synth, role)
    return logical_id, synth.template["Resources"][logical_id]


def _deliverer(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = _logical_id(synth, synth.stack.delivery.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def _rescue_sweeper(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = _logical_id(synth, synth.stack.rescue_sweeper.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def _schedule(synth: Synth, function_id: str) -> dict[str, Any]:
    """The one EventBridge rule targeting the function, checked to be the only one allowed to invoke it."""
    target = {"Fn::GetAtt": [function_id, "Arn"]}
    rules = {k: v for k, v in _resources(synth, "AWS::Events::Rule").items() if target in [t["Arn"] for t in v["Properties"]["Targets"]]}
    assert len(rules) == 1, rules
    (rule_id, rule), *_ = rules.items()
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [target]
    assert rule["Properties"].get("State", "ENABLED") == "ENABLED"
    permissions = [
        p["Properties"]
        for p in _resources(synth, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com" and p["Properties"]["FunctionName"] == target
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": target,
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]},
        }
    ]
    return rule


def _invoke_config(synth: Synth, function_id: str) -> dict[str, Any]:
    (config,) = (
        c["Properties"]
        for c in _resources(synth, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": function_id}
    )
    return config


def _granted(statements: list[dict[str, Any]], action: str) -> list[Any]:
    """Every resource an Allow statement grants `action` on (no statement here uses NotAction)."""
    assert all("NotAction" not in s and "NotResource" not in s for s in statements)
    return [r for s in statements if s["Effect"] == "Allow" and action in _as_list(s["Action"]) for r in _as_list(s["Resource"])]


# --- table -----------------------------------------------------------------------------------


def test_table_key_schema_and_indexes_follow_table_spec(synth: Synth) -> None:
    spec = table_spec()
    _, table = _one(synth, "AWS::DynamoDB::Table")
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": spec["partition_key"], "KeyType": "HASH"},
        {"AttributeName": spec["sort_key"], "KeyType": "RANGE"},
    ]
    indexes = {
        index["IndexName"]: (
            {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]},
            index["Projection"]["ProjectionType"],
        )
        for index in props.get("GlobalSecondaryIndexes", [])
    }
    assert indexes == {index["name"]: ({"HASH": index["partition_key"], "RANGE": index["sort_key"]}, "ALL") for index in spec["indexes"]}
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


# --- buckets ---------------------------------------------------------------------------------


LOCKED_BUCKETS = {"evidence": _evidence_bucket, "documents": _documents_bucket}


def test_the_locked_buckets_are_evidence_and_documents(synth: Synth) -> None:
    assert set(_locked_buckets(synth)) == {find(synth)[0] for find in LOCKED_BUCKETS.values()}


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
        "KMSMasterKeyID": {"Fn::GetAtt": [_data_key_id(synth), "Arn"]},
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
    assert destination["Ref"] not in _locked_buckets(synth)
    logs = synth.template["Resources"][destination["Ref"]]
    assert logs["Type"] == "AWS::S3::Bucket"
    props = logs["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    # server access logs are only delivered to SSE-S3 buckets
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert logs["DeletionPolicy"] == "Retain"


def test_every_bucket_refuses_requests_without_tls(synth: Synth) -> None:
    bucket_ids = set(_resources(synth, "AWS::S3::Bucket"))
    enforced = set()
    for policy in _resources(synth, "AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in (
                "false",
                False,
            ):
                enforced.add(policy["Properties"]["Bucket"]["Ref"])
    assert enforced == bucket_ids


def test_evidence_bucket_accepts_browser_uploads_from_the_public_origin(synth: Synth) -> None:
    _, bucket = _evidence_bucket(synth)
    rules = bucket["Properties"]["CorsConfiguration"]["CorsRules"]
    assert any("PUT" in rule["AllowedMethods"] for rule in rules)
    origins = [origin for rule in rules for origin in rule["AllowedOrigins"]]
    assert "*" not in origins
    assert "PublicBaseUrl" in json.dumps(origins)  # derived from the parameter, not hard-coded


def test_documents_bucket_has_no_cors(synth: Synth) -> None:
    # Downloads are presigned GETs (navigations); nothing is uploaded from a browser.
    _, bucket = _documents_bucket(synth)
    assert "CorsConfiguration" not in bucket["Properties"]


# --- secret ----------------------------------------------------------------------------------


def test_app_secret_is_generated_json_with_both_keys(synth: Synth) -> None:
    secrets = _resources(synth, "AWS::SecretsManager::Secret")
    app_secret = [s for s in secrets.values() if s["Properties"]["GenerateSecretString"].get("GenerateStringKey")]
    assert len(app_secret) == 1
    generator = app_secret[0]["Properties"]["GenerateSecretString"]
    assert generator["GenerateStringKey"] == "tokenSecret"
    template = json.dumps(generator["SecretStringTemplate"]).replace('\\"', '"')
    assert '{"lookupHashKey":' in template
    # placeholder for the WeChat AppSecret, filled by operations; never a value in the template
    assert template.endswith('"wechatAppSecret":""}"]]}'), template
    assert "SecretString" not in app_secret[0]["Properties"]  # never a literal value
    for secret in secrets.values():
        assert secret["DeletionPolicy"] == "Retain"


# --- API -------------------------------------------------------------------------------------


def test_api_function_has_environment_runtime_tracing_and_own_role(synth: Synth) -> None:
    functions = _resources(synth, "AWS::Serverless::Function")
    assert set(functions) == {"APIHandler"}
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    evidence_id, _ = _evidence_bucket(synth)
    documents_id, _ = _documents_bucket(synth)
    role_id, _ = _role(synth, synth.stack.api.role)
    app_secret_id = next(
        k
        for k, v in _resources(synth, "AWS::SecretsManager::Secret").items()
        if v["Properties"]["GenerateSecretString"].get("GenerateStringKey")
    )
    for name, function in functions.items():
        props = function["Properties"]
        env = props["Environment"]["Variables"]
        assert set(EXPECTED_ENV) <= env.keys(), name
        assert env["STAGE"] == STAGE
        assert env["TABLE_NAME"] == {"Ref": table_id}
        assert env["EVIDENCE_BUCKET"] == {"Ref": evidence_id}
        assert env["DOCUMENTS_BUCKET"] == {"Ref": documents_id}
        assert env["APP_SECRETS_ID"] == {"Ref": app_secret_id}
        assert env["INSURER_SECRET_PREFIX"] == INSURER_SECRET_PREFIX
        assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
        assert {name: env[name] for name in MESSAGING_ENV} == MESSAGING_ENV
        assert props["Runtime"] == "python3.11"
        assert props.get("Tracing") == "Active" or props.get("TracingConfig") == {"Mode": "Active"}
        assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_chalice_requirements_stay_empty() -> None:
    # Dependencies go into the layer; anything here would be packed into the API zip.
    assert (PROJECT_ROOT / "requirements.txt").read_text().strip() == ""


def test_dependency_layer_is_attached_when_built(synth: Synth) -> None:
    props = synth.template["Resources"]["APIHandler"]["Properties"]
    if (PROJECT_ROOT / "layers" / "python").is_dir():
        _one(synth, "AWS::Lambda::LayerVersion")
        assert len(props["Layers"]) == 1
    else:
        assert "Layers" not in props
        assert not _resources(synth, "AWS::Lambda::LayerVersion")
        assert any("NoDependencyLayer" in str(w.entry.data) for w in synth.warnings)


def test_api_role_is_least_privilege(synth: Synth) -> None:
    spec = table_spec()
    _, role = _role(synth, synth.stack.api.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(role)
    actions = [action for s in statements for action in _as_list(s["Action"])]
    assert all("*" not in action for action in actions), actions
    assert "dynamodb:Scan" not in actions
    for needed in (
        "dynamodb:Query",
        "dynamodb:PutItem",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:PutObjectRetention",
        "secretsmanager:GetSecretValue",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
    ):
        assert needed in actions, needed
    assert set(actions) == API_ACTIONS  # nothing more (the API sends no SMS: no sns:Publish)
    for statement in statements:
        assert statement["Effect"] == "Allow"
        if _as_list(statement["Resource"]) == ["*"]:
            assert all(action.startswith("xray:") for action in _as_list(statement["Action"])), statement
    # staging uploads may be deleted; sealed evidence may be locked but never deleted
    evidence_id, _ = _evidence_bucket(synth)
    uploads, sealed = (make_key("x", "y").split("/")[0] for make_key in (upload_key, evidence_key))
    for statement in statements:
        resources = json.dumps(statement["Resource"])
        if evidence_id not in resources:
            continue
        assert "s3:DeleteObjectVersion" not in _as_list(statement["Action"]), statement
        if "s3:DeleteObject" in _as_list(statement["Action"]):
            assert f'/{uploads}/*"' in resources and f"/{sealed}/" not in resources, statement
        if "s3:PutObjectRetention" in _as_list(statement["Action"]):
            assert f'/{sealed}/*"' in resources and f"/{uploads}/" not in resources, statement
    # documents: one statement on documents/* with exactly what document_store does
    documents_id, _ = _documents_bucket(synth)
    prefix = document_key("x", "y").split("/")[0]
    documents_objects = {"Fn::Join": ["", [{"Fn::GetAtt": [documents_id, "Arn"]}, f"/{prefix}/*"]]}
    on_documents = [s for s in statements if documents_id in json.dumps(s["Resource"])]
    object_statements = [s for s in on_documents if _as_list(s["Resource"]) != [{"Fn::GetAtt": [documents_id, "Arn"]}]]
    assert len(object_statements) == 1, on_documents
    assert _as_list(object_statements[0]["Resource"]) == [documents_objects]
    assert set(_as_list(object_statements[0]["Action"])) == DOCUMENT_ACTIONS
    bucket_statements = [s for s in on_documents if s not in object_statements]
    assert [set(_as_list(s["Action"])) for s in bucket_statements] == [{"s3:ListBucket"}]
    # the role cannot delete documents without naming a version (delete markers, unversioned
    # deletes) nor bypass governance-mode retention, anywhere
    for forbidden in ("s3:DeleteObject", "s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration"):
        assert not any(forbidden in _as_list(s["Action"]) for s in on_documents), forbidden
    assert "s3:BypassGovernanceRetention" not in actions
    # KMS for the documents bucket comes through S3 on the data key, like the evidence bucket
    data_key = next(s for s in statements if s.get("Sid") == "DataKey")
    assert data_key["Resource"] == {"Fn::GetAtt": [_data_key_id(synth), "Arn"]}
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"} <= set(_as_list(data_key["Action"]))
    assert any("s3." in json.dumps(v) for v in _as_list(data_key["Condition"]["StringEquals"]["kms:ViaService"]))
    index_statement = next(s for s in statements if s.get("Sid") == "TableIndexes")
    index_names = {json.dumps(r).rsplit("/index/", 1)[1].split('"')[0] for r in _as_list(index_statement["Resource"])}
    assert index_names == {index["name"] for index in spec["indexes"]}
    # permissions live inline in the role, so the function cannot start before they exist
    assert not _resources(synth, "AWS::IAM::Policy")


def test_the_roles_are_the_api_deliverer_workflow_and_sweeper_roles(synth: Synth) -> None:
    assert set(_resources(synth, "AWS::IAM::Role")) == {
        _logical_id(synth, synth.stack.api.role),
        _logical_id(synth, synth.stack.delivery.role),
        _logical_id(synth, synth.stack.rescue_sweeper.role),
        *(_logical_id(synth, w.function_role) for w in synth.stack.workflows.values()),
        *(_logical_id(synth, w.state_machine_role) for w in synth.stack.workflows.values()),
    }


def test_api_role_reads_and_rotates_insurer_secrets_only_under_the_prefix(synth: Synth) -> None:
    _, role = _role(synth, synth.stack.api.role)
    statements = _statements(role)
    # rotate (describe, read, put a new version) and verify inbound webhooks (read)
    for action in ("secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"):
        assert _granted(statements, action) == [INSURER_SECRETS_ARN], action
    app_secret_id = _logical_id(synth, synth.stack.secrets.app_secrets)
    assert sorted(_granted(statements, "secretsmanager:GetSecretValue"), key=json.dumps) == sorted(
        [INSURER_SECRETS_ARN, {"Ref": app_secret_id}], key=json.dumps
    )
    secrets_actions = {a for s in statements for a in _as_list(s["Action"]) if a.startswith("secretsmanager:")}
    assert secrets_actions == {"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"}


# --- deliverer -------------------------------------------------------------------------------


def test_deliverer_function_runs_the_handler_with_its_environment(synth: Synth) -> None:
    _, function = _deliverer(synth)
    props = function["Properties"]
    assert props["Handler"] == "functions.deliverer.handler.handler"
    assert props["Runtime"] == "python3.11"
    assert props["Architectures"] == ["x86_64"]
    assert props["Timeout"] == 60
    assert props["TracingConfig"] == {"Mode": "Active"}
    env = props["Environment"]["Variables"]
    assert set(env) == set(DELIVERER_ENV)  # DELIVERY_* and the link lifetimes keep their defaults
    assert env["STAGE"] == STAGE
    assert env["TABLE_NAME"] == {"Ref": _one(synth, "AWS::DynamoDB::Table")[0]}
    assert env["EVIDENCE_BUCKET"] == {"Ref": _evidence_bucket(synth)[0]}
    assert env["DOCUMENTS_BUCKET"] == {"Ref": _documents_bucket(synth)[0]}
    assert env["INSURER_SECRET_PREFIX"] == INSURER_SECRET_PREFIX
    assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
    assert env["POWERTOOLS_SERVICE_NAME"] == "yunchetong"
    assert env["APP_SECRETS_ID"] == {"Ref": _logical_id(synth, synth.stack.secrets.app_secrets)}
    assert {name: env[name] for name in MESSAGING_ENV} == MESSAGING_ENV
    # the same prefix for both functions
    assert (
        synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["INSURER_SECRET_PREFIX"]
        == env["INSURER_SECRET_PREFIX"]
    )
    assert "VpcConfig" not in props  # outbound HTTPS to insurers through Lambda's own egress


def test_deliverer_runs_one_at_a_time_without_retries(synth: Synth) -> None:
    function_id, function = _deliverer(synth)
    assert function["Properties"]["ReservedConcurrentExecutions"] == 1
    assert _invoke_config(synth, function_id)["MaximumRetryAttempts"] == 0


def test_deliverer_has_its_own_role_and_log_group(synth: Synth) -> None:
    _, function = _deliverer(synth)
    props = function["Properties"]
    role_id, _ = _role(synth, synth.stack.delivery.role)
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert role_id != _logical_id(synth, synth.stack.api.role)
    log_group_ref = props["LoggingConfig"]["LogGroup"]
    log_group = synth.template["Resources"][log_group_ref["Ref"]]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert log_group_ref != {"Ref": _logical_id(synth, synth.stack.api.log_group)}


def test_deliverer_uses_the_dependency_layer_when_built(synth: Synth) -> None:
    _, function = _deliverer(synth)
    if synth.stack.compute.layer is None:
        assert "Layers" not in function["Properties"]
    else:
        assert function["Properties"]["Layers"] == [{"Ref": _logical_id(synth, synth.stack.compute.layer)}]


def test_schedule_runs_the_deliverer_every_minute(synth: Synth) -> None:
    function_id, _ = _deliverer(synth)
    assert _schedule(synth, function_id)["Properties"]["ScheduleExpression"] == "rate(1 minute)"


def test_the_schedules_are_the_deliverers_and_the_sweepers(synth: Synth) -> None:
    targets = [t["Arn"] for rule in _resources(synth, "AWS::Events::Rule").values() for t in rule["Properties"]["Targets"]]
    assert sorted(targets, key=json.dumps) == sorted(
        ({"Fn::GetAtt": [_deliverer(synth)[0], "Arn"]}, {"Fn::GetAtt": [_rescue_sweeper(synth)[0], "Arn"]}), key=json.dumps
    )
    invokers = [p for p in _resources(synth, "AWS::Lambda::Permission").values() if p["Properties"]["Principal"] == "events.amazonaws.com"]
    assert len(invokers) == 2


def test_deliverer_role_is_least_privilege(synth: Synth) -> None:
    _, role = _role(synth, synth.stack.delivery.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(role)
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    outbox_index = {"Fn::Join": ["", [table_arn, f"/index/{OutboxItem.gsi1.Meta.index_name}"]]}
    # reads the table: due messages through the outbox index, cases, insurers; leases and records
    for action in ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"):
        assert _granted(statements, action) == [table_arn], action
    assert sorted(_granted(statements, "dynamodb:Query"), key=json.dumps) == sorted([table_arn, outbox_index], key=json.dumps)
    assert {a for a in actions if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    # reads the insurers' signing secrets under the prefix and the app secret (tokenSecret for the
    # case links in notices, wechatAppSecret); never writes or reads anything else
    app_secret = {"Ref": _logical_id(synth, synth.stack.secrets.app_secrets)}
    assert sorted(_granted(statements, "secretsmanager:GetSecretValue"), key=json.dumps) == sorted(
        [INSURER_SECRETS_ARN, app_secret], key=json.dumps
    )
    assert {a for a in actions if a.startswith("secretsmanager:")} == {"secretsmanager:GetSecretValue"}
    assert _granted(statements, "secretsmanager:PutSecretValue") == []
    assert actions == DELIVERER_ACTIONS
    # presigns GETs of sealed evidence and documents: read-only object actions, nothing else in S3
    evidence_id, _ = _evidence_bucket(synth)
    documents_id, _ = _documents_bucket(synth)
    prefixes = {
        evidence_id: evidence_key("x", "y").split("/")[0],
        documents_id: document_key("x", "y").split("/")[0],
    }
    readable = [{"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{prefix}/*"]]} for bucket, prefix in prefixes.items()]
    for action in ("s3:GetObject", "s3:GetObjectVersion"):
        assert sorted(_granted(statements, action), key=json.dumps) == sorted(readable, key=json.dumps), action
    assert {a for a in actions if a.startswith("s3:")} == {"s3:GetObject", "s3:GetObjectVersion"}
    # the data key only through DynamoDB (table) and, decrypt only, S3 and Secrets Manager
    data_key = {"Fn::GetAtt": [_data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in _as_list(statement["Action"])):
            assert statement["Resource"] == data_key
            services = json.dumps(statement["Condition"]["StringEquals"]["kms:ViaService"])
            if set(_as_list(statement["Action"])) != {"kms:Decrypt"}:
                assert "dynamodb." in services and "s3." not in services and "secretsmanager." not in services
    # '*' only for X-Ray and SMS; logs only to its own log group
    for statement in statements:
        if _as_list(statement["Resource"]) == ["*"]:
            assert set(_as_list(statement["Action"])) <= STAR_ACTIONS, statement
    log_group_id = _logical_id(synth, synth.stack.delivery.log_group)
    assert _granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


def test_only_the_deliverer_sends_sms_to_phone_numbers(synth: Synth) -> None:
    # SMS publishes to a phone number (no topic ARN): sns:Publish on "*", alone in its statement,
    # without conditions; the API only queues notices, the deliverer sends them.
    _, deliverer_role = _role(synth, synth.stack.delivery.role)
    sms = [s for s in _statements(deliverer_role) if "sns:Publish" in _as_list(s["Action"])]
    assert len(sms) == 1
    assert _as_list(sms[0]["Action"]) == ["sns:Publish"]
    assert _as_list(sms[0]["Resource"]) == ["*"]
    _, api_role = _role(synth, synth.stack.api.role)
    assert not [a for s in _statements(api_role) for a in _as_list(s["Action"]) if a.startswith("sns:")]


def test_wechat_parameters_hide_the_secrets_and_have_no_defaults(synth: Synth) -> None:
    parameters = synth.template["Parameters"]
    secret = {"WechatToken", "WechatEncodingAesKey", "WechatPreviousEncodingAesKey"}
    for name in (*secret, "WechatAppId"):
        parameter = parameters[name]
        assert parameter["Type"] == "String", name
        assert parameter.get("NoEcho", False) is (name in secret), name
        assert parameter.get("AllowedPattern"), name
    for name in ("WechatToken", "WechatAppId", "WechatEncodingAesKey"):
        assert "Default" not in parameters[name], name  # a deploy names the official account
    # optional: empty means none (the app drops empty EncodingAESKeys)
    previous = parameters["WechatPreviousEncodingAesKey"]
    assert previous["Default"] == ""
    assert re.fullmatch(previous["AllowedPattern"], "")
    assert re.fullmatch(previous["AllowedPattern"], "A" * 43)
    assert not re.fullmatch(previous["AllowedPattern"], "A" * 42)
    assert re.fullmatch(parameters["WechatEncodingAesKey"]["AllowedPattern"], "abcXYZ019+/" * 3 + "A" * 10)
    assert not re.fullmatch(parameters["WechatEncodingAesKey"]["AllowedPattern"], "")
    assert re.fullmatch(parameters["WechatAppId"]["AllowedPattern"], "wx0123456789abcdef")
    assert not re.fullmatch(parameters["WechatAppId"]["AllowedPattern"], "wx0000000000local")
    assert not re.fullmatch(parameters["WechatToken"]["AllowedPattern"], "")


def _asset_dir(outdir: Path, resource: Mapping[str, Any], code_property: str) -> Path:
    """The staged directory of a Lambda asset: `asset.<hash>` for S3 key `<hash>.zip`."""
    key = resource["Properties"][code_property]["S3Key"]
    staged = outdir / f"asset.{key.removesuffix('.zip')}"
    assert staged.is_dir(), staged
    return staged


def test_deliverer_code_is_chalicelib_and_functions_only(synth: Synth) -> None:
    _, function = _deliverer(synth)
    staged = _asset_dir(synth.outdir, function, "Code")
    assert {p.name for p in staged.iterdir()} == {"chalicelib", "functions"}
    files = {str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()}
    assert "functions/deliverer/handler.py" in files
    assert "chalicelib/settings.py" in files
    assert any(f.startswith("chalicelib/config/") and f.endswith(".json") for f in files)  # package data too
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_function_code_excludes_everything_but_chalicelib_and_functions(tmp_path: Path) -> None:
    # A project root with every folder that must stay out, bytecode and dotfiles included.
    root = tmp_path / "project"
    shipped = ["chalicelib/__init__.py", "chalicelib/config/a.json", "functions/__init__.py", "functions/deliverer/handler.py"]
    left_out = [f"{folder}/x.py" for folder in NOT_SHIPPED] + [
        ".git/HEAD",
        ".chalice/config.json",
        ".gitignore",
        "app.py",
        "requirements.txt",
        "layers/python/somepkg/__init__.py",
        "chalicelib/__pycache__/settings.cpython-311.pyc",
        "chalicelib/stray.pyc",
        "functions/deliverer/__pycache__/handler.cpython-311.pyc",
        "chalicelib/.DS_Store",
    ]
    for name in shipped + left_out:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    assert {p.name for p in root.iterdir()} >= set(NOT_SHIPPED)
    outdir = tmp_path / "cdk.out"
    app = App(outdir=str(outdir))
    stack = Stack(app, "Code")
    lambda_.Function(
        stack, "F", runtime=lambda_.Runtime.PYTHON_3_11, handler="functions.deliverer.handler.handler", code=function_code(root)
    )
    app.synth()
    (function,) = Template.from_stack(stack).find_resources("AWS::Lambda::Function").values()
    staged = _asset_dir(outdir, function, "Code")
    assert sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file()) == sorted(shipped)


def test_function_code_exclude_list_matches_every_folder_left_out() -> None:
    ignore = GlobIgnoreStrategy("/project", FUNCTION_CODE_EXCLUDE)
    for folder in NOT_SHIPPED:
        assert ignore.ignores(f"/project/{folder}"), folder
        assert ignore.ignores(f"/project/{folder}/sub/x.py"), folder
    for kept in ("chalicelib", "functions", "chalicelib/settings.py", "functions/deliverer/handler.py"):
        assert not ignore.ignores(f"/project/{kept}"), kept


# --- workflows -------------------------------------------------------------------------------

WORKFLOW_NAMES = [workflow.name for workflow in WORKFLOWS]


def _machine_name(name: str) -> str:
    return f"yunchetong-{STAGE}-{name}"


def _state_machine(synth: Synth, deployed: DeployedWorkflow) -> tuple[str, dict[str, Any]]:
    logical_id = _logical_id(synth, deployed.state_machine)
    machine = synth.template["Resources"][logical_id]
    assert machine["Type"] == "AWS::StepFunctions::StateMachine"
    return logical_id, machine


def _task_functions(synth: Synth, deployed: DeployedWorkflow) -> dict[str, dict[str, Any]]:
    """The functions running as the workflow's function role, by logical id."""
    role_arn = {"Fn::GetAtt": [_logical_id(synth, deployed.function_role), "Arn"]}
    return {k: v["Properties"] for k, v in _resources(synth, "AWS::Lambda::Function").items() if v["Properties"]["Role"] == role_arn}


def test_every_workflow_of_the_registry_has_its_state_machine(synth: Synth) -> None:
    assert sorted(synth.stack.workflows) == sorted(WORKFLOW_NAMES)
    assert set(_resources(synth, "AWS::StepFunctions::StateMachine")) == {
        _logical_id(synth, deployed.state_machine) for deployed in synth.stack.workflows.values()
    }


def _assert_key_via_dynamodb_and_star_only_for_xray(synth: Synth, statements: list[dict]) -> None:
    """The data key only through DynamoDB; '*' only for X-Ray, which has no resource ARNs."""
    data_key = {"Fn::GetAtt": [_data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in _as_list(statement["Action"])):
            assert statement["Resource"] == data_key
            via = _as_list(statement["Condition"]["StringEquals"]["kms:ViaService"])
            assert via == [{"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}]
        if _as_list(statement["Resource"]) == ["*"]:
            assert all(a.startswith("xray:") for a in _as_list(statement["Action"])), statement


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_is_standard_from_the_definition_file_with_every_placeholder_substituted(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    workflow = deployed.workflow
    _, machine = _state_machine(synth, deployed)
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert props["StateMachineName"] == _machine_name(name)
    # the definition file itself, uploaded as an asset: never inlined or rebuilt in the stack
    assert "DefinitionString" not in props and "Definition" not in props
    staged = synth.outdir / f"asset.{props['DefinitionS3Location']['Key']}"
    text = staged.read_text(encoding="utf-8")
    assert text == workflow.text()
    # every placeholder has a value and every value a placeholder: exactly the registry's
    substitutions = dict(props["DefinitionSubstitutions"])
    assert substitutions.pop(PARTITION) == {"Ref": "AWS::Partition"}  # aws, or aws-cn in the China regions
    assert set(substitutions) == {task.placeholder for task in workflow.functions} == workflow.placeholders()
    assert set(re.findall(r"\$\{([^}]*)\}", text)) == {*substitutions, PARTITION}  # no other ${...} left unresolved
    # each placeholder is the ARN of the function running the registry's handler for it
    by_handler = {props["Handler"]: logical_id for logical_id, props in _task_functions(synth, deployed).items()}
    for task in workflow.functions:
        assert substitutions[task.placeholder] == {"Fn::GetAtt": [by_handler[task.handler], "Arn"]}, task


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_logs_every_transition_and_is_traced(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, machine = _state_machine(synth, deployed)
    logs_id = _logical_id(synth, deployed.state_machine_logs)
    assert machine["Properties"]["LoggingConfiguration"] == {
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [logs_id, "Arn"]}}}],
        "IncludeExecutionData": False,
        "Level": "ALL",
    }
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    log_group = synth.template["Resources"][logs_id]
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert log_group["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_one_function_per_task_runs_the_registry_handler(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    functions = _task_functions(synth, deployed)
    tasks = {task.handler: task for task in deployed.workflow.functions}
    assert sorted(props["Handler"] for props in functions.values()) == sorted(tasks)
    _, deliverer = _deliverer(synth)
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    log_group_id = _logical_id(synth, deployed.function_logs)
    for props in functions.values():
        assert props["FunctionName"] == f"yunchetong-{STAGE}-{tasks[props['Handler']].name}"
        assert props["Runtime"] == "python3.11"
        assert props["Architectures"] == ["x86_64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Code"] == deliverer["Properties"]["Code"]  # the same chalicelib + functions asset
        assert props.get("Layers") == deliverer["Properties"].get("Layers")
        assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
        env = props["Environment"]["Variables"]
        assert set(env) == WORKFLOW_FUNCTION_ENV
        assert env == {"STAGE": STAGE, "TABLE_NAME": {"Ref": table_id}, "POWERTOOLS_SERVICE_NAME": "yunchetong"}
    assert synth.template["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 365
    # the handler setting names a function that exists in the shipped code
    for handler in tasks:
        module, attribute = handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attribute)), handler


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_workflow_function_role_is_least_privilege(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, role = _role(synth, deployed.function_role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(role)
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions  # no dynamodb:* or states:*
    assert actions == WORKFLOW_FUNCTION_ACTIONS  # no Scan, UpdateItem, DeleteItem, S3, secrets, SMS
    # the table, and of its indexes only the standby trucks' (the case is one Query on its partition)
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    tow_index = {"Fn::Join": ["", [table_arn, f"/index/{TowTruckItem.gsi1.Meta.index_name}"]]}
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert _granted(statements, action) == [table_arn], action
    assert sorted(_granted(statements, "dynamodb:Query"), key=json.dumps) == sorted([table_arn, tow_index], key=json.dumps)
    # answers a task only on its own state machine (the ARN from the name: a Ref would be a cycle)
    assert _granted(statements, "states:SendTaskSuccess") == [_arn("states", f"stateMachine:{_machine_name(name)}")]
    assert _state_machine(synth, deployed)[1]["Properties"]["StateMachineName"] == _machine_name(name)
    _assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)
    # logs only to the workflow's log group
    assert _granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [_logical_id(synth, deployed.function_logs), "Arn"]}]


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_role_invokes_exactly_its_functions(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, machine = _state_machine(synth, deployed)
    role_id, role = _role(synth, deployed.state_machine_role)
    assert machine["Properties"]["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(role)
    invoked = _granted(statements, "lambda:InvokeFunction")
    functions = {k: v for k, v in machine["Properties"]["DefinitionSubstitutions"].items() if k != PARTITION}
    assert sorted(invoked, key=json.dumps) == sorted(functions.values(), key=json.dumps)
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert actions == {"lambda:InvokeFunction"} | STATE_MACHINE_STAR_ACTIONS
    for statement in statements:
        if _as_list(statement["Resource"]) == ["*"]:
            assert set(_as_list(statement["Action"])) <= STATE_MACHINE_STAR_ACTIONS, statement
        else:
            assert _as_list(statement["Action"]) == ["lambda:InvokeFunction"], statement


def test_api_starts_stops_and_answers_each_workflow_and_knows_its_arn(synth: Synth) -> None:
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    settings = {field.alias for field in Settings.model_fields.values()}
    for name, deployed in synth.stack.workflows.items():
        variable = f"{name.upper()}_STATE_MACHINE_ARN"
        assert variable in settings, variable  # what chalicelib.settings reads
        assert env[variable] == {"Ref": _state_machine(synth, deployed)[0]}
    assert "RESCUE_STATE_MACHINE_ARN" in env
    _, role = _role(synth, synth.stack.api.role)
    statements = _statements(role)
    machines = sorted((_arn("states", f"stateMachine:{_machine_name(name)}") for name in WORKFLOW_NAMES), key=json.dumps)
    for action in ("states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"):
        assert sorted(_granted(statements, action), key=json.dumps) == machines, action
    executions = sorted((_arn("states", f"execution:{_machine_name(name)}:*") for name in WORKFLOW_NAMES), key=json.dumps)
    assert sorted(_granted(statements, "states:StopExecution"), key=json.dumps) == executions
    assert {a for s in statements for a in _as_list(s["Action"]) if a.startswith("states:")} == {
        "states:StartExecution",
        "states:StopExecution",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
    }


def test_state_machine_logging_and_tracing_are_not_acknowledged_away(synth: Synth) -> None:
    # cdk-nag SF1 (log ALL events) and SF2 (X-Ray) are met, not accepted
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                assert not [rule for rule in entry.data if rule.startswith("AwsSolutions-SF")], construct.node.path


# --- rescue sweeper --------------------------------------------------------------------------


def test_rescue_sweeper_runs_the_handler_with_the_machine_arn(synth: Synth) -> None:
    _, function = _rescue_sweeper(synth)
    props = function["Properties"]
    assert props["Handler"] == RESCUE_SWEEPER_HANDLER
    module, attribute = RESCUE_SWEEPER_HANDLER.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))  # exists in the shipped code
    assert props["FunctionName"] == f"yunchetong-{STAGE}-rescue-sweeper"
    assert props["Runtime"] == "python3.11"
    assert props["Architectures"] == ["x86_64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    _, deliverer = _deliverer(synth)
    assert props["Code"] == deliverer["Properties"]["Code"]  # the same chalicelib + functions asset
    assert props.get("Layers") == deliverer["Properties"].get("Layers")
    env = props["Environment"]["Variables"]
    assert set(env) == RESCUE_SWEEPER_ENV
    machine_id, _ = _state_machine(synth, synth.stack.workflows[RESCUE.name])
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    assert env == {
        "STAGE": STAGE,
        "TABLE_NAME": {"Ref": table_id},
        "POWERTOOLS_SERVICE_NAME": "yunchetong",
        # without it release_orphans would take every open order for orphaned
        "RESCUE_STATE_MACHINE_ARN": {"Ref": machine_id},
    }
    assert "RESCUE_STATE_MACHINE_ARN" in {field.alias for field in Settings.model_fields.values()}


def test_rescue_sweeper_runs_every_5_minutes_one_at_a_time_without_retries(synth: Synth) -> None:
    function_id, function = _rescue_sweeper(synth)
    assert _schedule(synth, function_id)["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert function["Properties"]["ReservedConcurrentExecutions"] == 1
    assert _invoke_config(synth, function_id)["MaximumRetryAttempts"] == 0


def test_rescue_sweeper_has_its_own_role_and_log_group(synth: Synth) -> None:
    _, function = _rescue_sweeper(synth)
    props = function["Properties"]
    role_id, _ = _role(synth, synth.stack.rescue_sweeper.role)
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    others = {_logical_id(synth, synth.stack.api.role), _logical_id(synth, synth.stack.delivery.role)}
    others |= {_logical_id(synth, w.function_role) for w in synth.stack.workflows.values()}
    assert role_id not in others
    log_group_id = _logical_id(synth, synth.stack.rescue_sweeper.log_group)
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
    assert synth.template["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 365
    assert synth.template["Resources"][log_group_id]["DeletionPolicy"] == "Retain"


def test_rescue_sweeper_role_is_least_privilege(synth: Synth) -> None:
    _, role = _role(synth, synth.stack.rescue_sweeper.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = _statements(role)
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions
    # no Scan, UpdateItem, DeleteItem; no Start/Stop/SendTask*; no S3, secrets or SMS
    assert actions == RESCUE_SWEEPER_ACTIONS
    # the table, and of its indexes only the dispatch queue (open orders per unit and status)
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    queue_index = {"Fn::Join": ["", [table_arn, f"/index/{RescueOrderItem.gsi1.Meta.index_name}"]]}
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert _granted(statements, action) == [table_arn], action
    assert sorted(_granted(statements, "dynamodb:Query"), key=json.dumps) == sorted([table_arn, queue_index], key=json.dumps)
    # reads the status of the rescue machine's runs only
    assert _granted(statements, "states:DescribeExecution") == [_arn("states", f"execution:{_machine_name(RESCUE.name)}:*")]
    # the same table statements as the rescue task functions (the compensation is their code)
    _, task_role = _role(synth, synth.stack.workflows[RESCUE.name].function_role)
    task_statements = {json.dumps(s, sort_keys=True) for s in _statements(task_role)}
    for statement in statements:
        if any(a.startswith(("kms:", "dynamodb:")) for a in _as_list(statement["Action"])) and statement.get("Sid") != "RescueQueueIndex":
            assert json.dumps(statement, sort_keys=True) in task_statements, statement
    _assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)
    # logs only to its own log group
    log_group_id = _logical_id(synth, synth.stack.rescue_sweeper.log_group)
    assert _granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


# --- alarms ----------------------------------------------------------------------------------


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props]
    return [query["MetricStat"]["Metric"] for query in props.get("Metrics", []) if "MetricStat" in query]


def test_alarms_cover_api_deliverer_and_sweeper_errors_and_table_throttles(synth: Synth) -> None:
    alarms = _resources(synth, "AWS::CloudWatch::Alarm")
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    metrics = [metric for alarm in alarms.values() for metric in _alarm_metrics(alarm)]
    assert any(
        m["Namespace"] == "AWS/Lambda"
        and m["MetricName"] == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": "APIHandler"}} in m["Dimensions"]
        for m in metrics
    )
    assert any(
        m["Namespace"] == "AWS/DynamoDB"
        and m["MetricName"] in {"ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests"}
        and {"Name": "TableName", "Value": {"Ref": table_id}} in m["Dimensions"]
        for m in metrics
    )
    for function_id in (_deliverer(synth)[0], _rescue_sweeper(synth)[0]):
        assert any(
            m["Namespace"] == "AWS/Lambda"
            and m["MetricName"] == "Errors"
            and {"Name": "FunctionName", "Value": {"Ref": function_id}} in m["Dimensions"]
            for m in metrics
        ), function_id
    topic_id, _ = _one(synth, "AWS::SNS::Topic")
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}], name


def test_alarm_on_every_failed_workflow_run(synth: Synth) -> None:
    # a failed run ended the order FAILED, or CompensationFailed: a truck may still be held
    alarms = _resources(synth, "AWS::CloudWatch::Alarm").values()
    for name, deployed in synth.stack.workflows.items():
        dimension = {"Name": "StateMachineArn", "Value": {"Ref": _state_machine(synth, deployed)[0]}}
        found = [
            alarm["Properties"]
            for alarm in alarms
            if any(
                m["Namespace"] == "AWS/States" and m["MetricName"] == "ExecutionsFailed" and dimension in m["Dimensions"]
                for m in _alarm_metrics(alarm)
            )
        ]
        assert len(found) == 1, name
        assert found[0]["Statistic"] == "Sum"
        assert found[0]["Threshold"] == 1
        assert found[0]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert found[0]["TreatMissingData"] == "notBreaching"


# --- environment independence ----------------------------------------------------------------


def test_template_has_no_hard_coded_account_region_or_arn(synth: Synth) -> None:
    text = synth.template_path.read_text()
    assert not re.findall(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])", text)
    assert REGION not in text
    assert not re.findall(r"arn:aws[a-z-]*:", text)


# --- cdk-nag ---------------------------------------------------------------------------------


def test_cdk_nag_reports_no_errors(synth: Synth) -> None:
    errors = [v for v in synth.violations if v["severity"] == "error"]
    assert errors == [], f"unacknowledged cdk-nag errors: {errors}"
    assert synth.synth_error is None, synth.synth_error
    assert synth.nag_errors == []


def test_cdk_nag_reports_no_warnings(synth: Synth) -> None:
    warnings = [v for v in synth.violations if v["severity"] != "error"]
    assert warnings == [], f"unacknowledged cdk-nag warnings: {warnings}"
    assert synth.nag_warnings == []


def test_every_cdk_nag_acknowledgment_has_a_reason(synth: Synth) -> None:
    acknowledged = {}
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    acknowledged[(construct.node.path, rule)] = reason
    assert acknowledged, "expected the acknowledged findings (secret rotation, X-Ray, object keys)"
    for (path, rule), reason in acknowledged.items():
        assert "AwsSolutions-" in rule, (path, rule)
        assert len(reason) >= 40, (path, rule, reason)  # a reason, not a placeholder


# --- cfn-lint --------------------------------------------------------------------------------


def test_cfn_lint_passes(synth: Synth) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
            "--ignore-checks",
            "W3005",
            "--",
            str(synth.template_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- entry point and layer -------------------------------------------------------------------


def test_module_entry_point_synthesises_outside_the_project(tmp_path: Path) -> None:
    chalice_out = PROJECT_ROOT / "chalice.out"
    existed = chalice_out.exists()
    cache = PROJECT_ROOT / ".chalice" / "deployments"
    cached = sorted(cache.iterdir()) if cache.is_dir() else []
    outdir = tmp_path / "cdk.out"
    env = os.environ | SYNTH_ENV | {"CDK_OUTDIR": str(outdir)}
    result = subprocess.run(
        [sys.executable, "-m", "infra.cdk.app"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((outdir / "Yunchetong-dev.template.json").read_text())
    assert template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]["STAGE"] == "dev"
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    deliverers = [f for f in functions if f["Handler"] == "functions.deliverer.handler.handler"]
    assert [d["Environment"]["Variables"]["INSURER_SECRET_PREFIX"] for d in deliverers] == ["yunchetong/dev/insurers"]
    machines = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert sorted(m["StateMachineName"] for m in machines) == sorted(f"yunchetong-dev-{w.name}" for w in WORKFLOWS)
    assert chalice_out.exists() == existed  # chalice.out/ went to a scratch directory
    assert (sorted(cache.iterdir()) if cache.is_dir() else []) == cached  # chalice packaged a copy


def test_api_uses_the_dependency_layer_once_built(tmp_path: Path) -> None:
    layer_dir = tmp_path / "layers"
    (layer_dir / "python" / "somepkg").mkdir(parents=True)
    (layer_dir / "python" / "somepkg" / "__init__.py").write_text("")
    (layer_dir / "requirements.txt").write_text("somepkg\n")
    (layer_dir / "build.sh").write_text("#!/bin/sh\n")
    (layer_dir / ".gitignore").write_text("python/\n")
    outdir = tmp_path / "cdk.out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SYNTH_ENV.items():
            patch.setenv(name, value)
        patch.chdir(tmp_path)
        app, stack = build_app(outdir=str(outdir), stage=STAGE, layer_dir=layer_dir)
        app.synth()  # cdk-nag included
    template = Template.from_stack(stack)
    layers = template.find_resources("AWS::Lambda::LayerVersion")
    assert len(layers) == 1
    (layer_id, layer), *_ = layers.items()
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.11"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["x86_64"]
    handler = template.find_resources("AWS::Serverless::Function")["APIHandler"]
    assert handler["Properties"]["Layers"] == [{"Ref": layer_id}]
    # the deliverer, every workflow task and the rescue sweeper
    functions = template.find_resources("AWS::Lambda::Function")
    assert len(functions) == 2 + sum(len(w.functions) for w in WORKFLOWS)
    for name, function in functions.items():
        assert function["Properties"]["Layers"] == [{"Ref": layer_id}], name
    # only layers/python goes into the layer, as python/... at the root of the zip
    staged = _asset_dir(outdir, layer, "Content")
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
    assert files == ["python/somepkg/__init__.py"]
