"""The CDK deployment (`infra/cdk`): synthesised once, offline, then checked.

Checks: resources against the design (table from `table_spec()`, evidence and documents buckets,
secret, API environment and role, alarms), cdk-nag AwsSolutions (no unacknowledged finding, every
acknowledgment has a reason), cfn-lint, and the `python -m infra.cdk.app` entry point.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Validations
from aws_cdk.assertions import Annotations, Match, Template

from chalicelib.integrations.document_store import document_key
from chalicelib.integrations.evidence_store import evidence_key, upload_key
from chalicelib.store.models import table_spec
from infra.cdk.app import build_app
from infra.cdk.stack import PROJECT_ROOT, YunchetongStack

STAGE = "test"
REGION = "ap-east-1"
SYNTH_ENV = {
    "AWS_DEFAULT_REGION": REGION,  # chalice's packager wants a region; the template has none
    "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in chalicelib, so the package is stable
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}
EXPECTED_ENV = ("STAGE", "TABLE_NAME", "EVIDENCE_BUCKET", "DOCUMENTS_BUCKET", "APP_SECRETS_ID", "PUBLIC_BASE_URL")
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
    return _bucket(synth, synth.stack.evidence)


def _documents_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return _bucket(synth, synth.stack.documents)


def _data_key_id(synth: Synth) -> str:
    return synth.stack.resolve(synth.stack.data_key.node.default_child.logical_id)


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


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
    assert '{"lookupHashKey":' in json.dumps(generator["SecretStringTemplate"]).replace('\\"', '"')
    assert "SecretString" not in app_secret[0]["Properties"]  # never a literal value
    for secret in secrets.values():
        assert secret["DeletionPolicy"] == "Retain"


# --- API -------------------------------------------------------------------------------------


def test_api_function_has_environment_runtime_tracing_and_own_role(synth: Synth) -> None:
    functions = _resources(synth, "AWS::Serverless::Function") | _resources(synth, "AWS::Lambda::Function")
    assert "APIHandler" in functions
    table_id, _ = _one(synth, "AWS::DynamoDB::Table")
    evidence_id, _ = _evidence_bucket(synth)
    documents_id, _ = _documents_bucket(synth)
    role_id, _ = _one(synth, "AWS::IAM::Role")
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
        assert env["PUBLIC_BASE_URL"] == {"Ref": "PublicBaseUrl"}
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
    _, role = _one(synth, "AWS::IAM::Role")
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


# --- alarms ----------------------------------------------------------------------------------


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props]
    return [query["MetricStat"]["Metric"] for query in props.get("Metrics", []) if "MetricStat" in query]


def test_alarms_cover_api_errors_and_table_throttles(synth: Synth) -> None:
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
    topic_id, _ = _one(synth, "AWS::SNS::Topic")
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}], name


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
    assert chalice_out.exists() == existed  # chalice.out/ went to a scratch directory
    assert (sorted(cache.iterdir()) if cache.is_dir() else []) == cached  # chalice packaged a copy


def test_api_uses_the_dependency_layer_once_built(tmp_path: Path) -> None:
    layer_dir = tmp_path / "layers"
    (layer_dir / "python" / "somepkg").mkdir(parents=True)
    (layer_dir / "python" / "somepkg" / "__init__.py").write_text("")
    (layer_dir / "requirements.txt").write_text("somepkg\n")
    (layer_dir / "build.sh").write_text("#!/bin/sh\n")
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
    # only layers/python goes into the layer, as python/... at the root of the zip
    staged = [p for p in outdir.iterdir() if p.name.startswith("asset.") and p.is_dir()]
    assert len(staged) == 1
    files = sorted(str(p.relative_to(staged[0])) for p in staged[0].rglob("*") if p.is_file())
    assert files == ["python/somepkg/__init__.py"]
