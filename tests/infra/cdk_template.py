"""The synthesised template of the CDK stack and the questions the infra tests ask it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Annotations, Match, Template

from infra.cdk.app import build_app
from infra.cdk.stack import YunchetongStack
from infra.cdk.workflow import DeployedWorkflow
from infra.workflows import WORKFLOWS

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

INSURER_SECRET_PREFIX = f"yunchetong/{STAGE}/insurers"


def arn(service: str, resource: str) -> dict[str, Any]:
    """arn:<partition>:<service>:<region>:<account>:<resource>, as Stack.format_arn renders it."""
    return {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":{service}:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, f":{resource}"],
        ]
    }


INSURER_SECRETS_ARN = arn("secretsmanager", f"secret:{INSURER_SECRET_PREFIX}/*")

WORKFLOW_NAMES = [workflow.name for workflow in WORKFLOWS]

WORKFLOW_FUNCTION_ENV = {"STAGE", "TABLE_NAME", "POWERTOOLS_SERVICE_NAME", "PYDANTIC_DISABLE_PLUGINS"}


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


def resources_of(synth: Synth, resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in synth.template["Resources"].items() if v["Type"] == resource_type}


def one_resource(synth: Synth, resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources_of(synth, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def locked_buckets(synth: Synth) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources_of(synth, "AWS::S3::Bucket").items() if v["Properties"].get("ObjectLockEnabled")}


def evidence_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return resource_of(synth, synth.stack.storage.evidence)


def documents_bucket(synth: Synth) -> tuple[str, dict[str, Any]]:
    return resource_of(synth, synth.stack.storage.documents)


def data_key_id(synth: Synth) -> str:
    return logical_id_of(synth, synth.stack.storage.data_key)


def policy_statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role["Properties"].get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def logical_id_of(synth: Synth, construct: Any) -> str:
    return synth.stack.resolve(construct.node.default_child.logical_id)


def resource_of(synth: Synth, construct: Any) -> tuple[str, dict[str, Any]]:
    """The template resource of a construct (a role, a bucket, ...): its logical id and itself."""
    logical_id = logical_id_of(synth, construct)
    return logical_id, synth.template["Resources"][logical_id]


def deliverer_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = logical_id_of(synth, synth.stack.delivery.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def calendar_check_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = logical_id_of(synth, synth.stack.calendar_check.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def rescue_sweeper_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = logical_id_of(synth, synth.stack.rescue_sweeper.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def mediation_sweeper_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    logical_id = logical_id_of(synth, synth.stack.mediation_sweeper.function)
    function = synth.template["Resources"][logical_id]
    assert function["Type"] == "AWS::Lambda::Function"
    return logical_id, function


def schedule_of(synth: Synth, function_id: str) -> dict[str, Any]:
    """The one EventBridge rule targeting the function, checked to be the only one allowed to invoke it."""
    target = {"Fn::GetAtt": [function_id, "Arn"]}
    rules = {k: v for k, v in resources_of(synth, "AWS::Events::Rule").items() if target in [t["Arn"] for t in v["Properties"]["Targets"]]}
    assert len(rules) == 1, rules
    (rule_id, rule), *_ = rules.items()
    assert [t["Arn"] for t in rule["Properties"]["Targets"]] == [target]
    assert rule["Properties"].get("State", "ENABLED") == "ENABLED"
    permissions = [
        p["Properties"]
        for p in resources_of(synth, "AWS::Lambda::Permission").values()
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


def invoke_config(synth: Synth, function_id: str) -> dict[str, Any]:
    (config,) = (
        c["Properties"]
        for c in resources_of(synth, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": function_id}
    )
    return config


def granted(statements: list[dict[str, Any]], action: str) -> list[Any]:
    """Every resource an Allow statement grants `action` on (no statement here uses NotAction)."""
    assert all("NotAction" not in s and "NotResource" not in s for s in statements)
    return [r for s in statements if s["Effect"] == "Allow" and action in as_list(s["Action"]) for r in as_list(s["Resource"])]


def assert_scheduled_alone(synth: Synth, function_id: str, function: dict[str, Any], rate: str) -> None:
    """A scheduled function: on its rate, one run at a time, never retried (its next run retries)."""
    assert schedule_of(synth, function_id)["Properties"]["ScheduleExpression"] == rate
    assert function["Properties"]["ReservedConcurrentExecutions"] == 1
    assert invoke_config(synth, function_id)["MaximumRetryAttempts"] == 0


def assert_own_role_and_log_group(synth: Synth, function: dict[str, Any], capability: Any, others: list[Any]) -> None:
    """The function runs as its capability's role (no other's) and logs to its own group, kept a year and retained."""
    props = function["Properties"]
    role_id, _ = resource_of(synth, capability.role)
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert role_id not in {logical_id_of(synth, other) for other in others}
    log_group_id = logical_id_of(synth, capability.log_group)
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
    log_group = synth.template["Resources"][log_group_id]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert log_group["DeletionPolicy"] == "Retain"
    assert log_group_id != logical_id_of(synth, synth.stack.api.log_group)


def assert_items_and_one_index(synth: Synth, statements: list[dict[str, Any]], index_name: str) -> None:
    """Get and put items of the table; Query it and, of its indexes, only the one named."""
    assert_items_and_indexes(synth, statements, [index_name])


def assert_items_and_indexes(synth: Synth, statements: list[dict[str, Any]], index_names: list[str]) -> None:
    """Get and put items of the table; Query it and, of its indexes, exactly those named (maybe none)."""
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    indexes = [{"Fn::Join": ["", [table_arn, f"/index/{name}"]]} for name in index_names]
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert granted(statements, action) == [table_arn], action
    assert sorted(granted(statements, "dynamodb:Query"), key=json.dumps) == sorted([table_arn, *indexes], key=json.dumps)


def assert_updates_only_report_counters(synth: Synth, statements: list[dict[str, Any]]) -> None:
    """UpdateItem only for the report counters a case transaction adds to (ADR 0027): the table,
    their `STATS#` partitions alone."""
    from chalicelib.store.report_counters import LEADING_KEYS

    (statement,) = [s for s in statements if "dynamodb:UpdateItem" in as_list(s["Action"])]
    assert as_list(statement["Action"]) == ["dynamodb:UpdateItem"]
    assert statement["Resource"] == {"Fn::GetAtt": [one_resource(synth, "AWS::DynamoDB::Table")[0], "Arn"]}
    assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [LEADING_KEYS]}}


def asset_dir(outdir: Path, resource: Mapping[str, Any], code_property: str) -> Path:
    """The staged directory of a Lambda asset: `asset.<hash>` for S3 key `<hash>.zip`."""
    key = resource["Properties"][code_property]["S3Key"]
    staged = outdir / f"asset.{key.removesuffix('.zip')}"
    assert staged.is_dir(), staged
    return staged


def machine_name(name: str) -> str:
    return f"yunchetong-{STAGE}-{name}"


def state_machine_resource(synth: Synth, deployed: DeployedWorkflow) -> tuple[str, dict[str, Any]]:
    logical_id = logical_id_of(synth, deployed.state_machine)
    machine = synth.template["Resources"][logical_id]
    assert machine["Type"] == "AWS::StepFunctions::StateMachine"
    return logical_id, machine


def task_functions(synth: Synth, deployed: DeployedWorkflow) -> dict[str, dict[str, Any]]:
    """The functions running as the workflow's function role, by logical id."""
    role_arn = {"Fn::GetAtt": [logical_id_of(synth, deployed.function_role), "Arn"]}
    return {k: v["Properties"] for k, v in resources_of(synth, "AWS::Lambda::Function").items() if v["Properties"]["Role"] == role_arn}


def assert_key_via_dynamodb_and_star_only_for_xray(synth: Synth, statements: list[dict]) -> None:
    """The data key only through DynamoDB; '*' only for X-Ray, which has no resource ARNs."""
    data_key = {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in as_list(statement["Action"])):
            assert statement["Resource"] == data_key
            via = as_list(statement["Condition"]["StringEquals"]["kms:ViaService"])
            assert via == [{"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}]
        if as_list(statement["Resource"]) == ["*"]:
            assert all(a.startswith("xray:") for a in as_list(statement["Action"])), statement


def assert_one_errors_alarm_on_topic(synth: Synth, function_id: str) -> None:
    """One alarm on the function's Lambda `Errors` (any error) notifying the alarm topic."""
    topic_id, _ = one_resource(synth, "AWS::SNS::Topic")
    found = [alarm["Properties"] for alarm in resources_of(synth, "AWS::CloudWatch::Alarm").values()
             if alarm["Properties"].get("MetricName") == "Errors"
             and {"Name": "FunctionName", "Value": {"Ref": function_id}} in alarm["Properties"].get("Dimensions", [])]
    assert len(found) == 1
    assert found[0]["Threshold"] == 1 and found[0]["AlarmActions"] == [{"Ref": topic_id}]


# What `make deploy` passes as `-c publishTag=` (the deploy's UTC time).
PUBLISH_TAG = "20261130T050000Z"


def synthesise(workdir: Path, region: str | None = None) -> Synth:
    """The stack of `stage=STAGE` synthesised offline in `workdir` (chalice.cdk writes chalice.out/
    into the working directory), with cdk-nag; a synth that cdk-nag fails is returned with its error.
    `region` pins the stack to a region (and its partition), as `-c region=...` does."""
    outdir = workdir / "cdk.out"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SYNTH_ENV.items():
            patch.setenv(name, value)
        patch.setattr(sys, "dont_write_bytecode", True)
        patch.chdir(workdir)
        app, stack = build_app(outdir=str(outdir), stage=STAGE, region=region, publish_tag=PUBLISH_TAG)
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


def pages_deployment_function(synth: Synth) -> tuple[str, dict[str, Any]]:
    """CDK's BucketDeployment function copying the pages (infra/cdk/pages.py): CDK's own, with its
    own role, policy and AWS CLI layer, unlike our functions."""
    role_id = logical_id_of(synth, synth.stack.pages.deployment.handler_role)
    role = {"Fn::GetAtt": [role_id, "Arn"]}
    (found,) = ((k, v) for k, v in resources_of(synth, "AWS::Lambda::Function").items() if v["Properties"]["Role"] == role)
    return found


def pages_deployment_layers(synth: Synth) -> list[str]:
    """The AWS CLI layer CDK's BucketDeployment function runs with."""
    _, function = pages_deployment_function(synth)
    return [layer["Ref"] for layer in function["Properties"]["Layers"]]


def cfn_lint(template_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """cfn-lint on a synthesised template (W3005: CDK's DependsOn beside a Ref is harmless)."""
    return subprocess.run(  # our interpreter, our arguments, no shell
        [
            sys.executable,
            "-c",
            "import sys; from cfnlint.runner import main; sys.exit(main())",
            "--ignore-checks",
            "W3005",
            *options,
            "--",
            str(template_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
