"""Proof offline: the synthesised template's resources created in moto's CloudFormation, the
reference data migration run against them, and `/health` answering 200 from the Chalice app
pointed at that stack.

moto's CloudFormation creates a subset of resource types. The data resources are kept: the
table, the buckets, the queues, the topic, the state machines (and what they refer to: KMS keys,
log groups). The Cognito user pool, which moto's CloudFormation cannot create, is substituted:
created through moto's Cognito API from the template's properties. Everything else is skipped and
listed (`skipped`): functions and their permissions (their code is an asset CloudFormation would
fetch from the bootstrap bucket), the Chalice API (a SAM transform), roles and policies, alarms,
rules, secrets, and whatever else moto does not model; a reference to a skipped resource becomes a
placeholder ARN, a parameter its example value."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.infra.cdk_template import Synth, logical_id_of

KEPT = {
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::StepFunctions::StateMachine",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
}
SUBSTITUTED = {"AWS::Cognito::UserPool"}
# What a deploy would pass (the parameters without a default), as README's example.
PARAMETER_VALUES = {
    "PublicBaseUrl": "https://ycht.example.cn",
    "WechatToken": "token123",
    "WechatAppId": "wx0123456789abcdef",
    "WechatEncodingAesKey": "a" * 43,
}
ACCOUNT = "123456789012"
CONTEXT = SimpleNamespace(function_name="reference-data", memory_limit_in_mb=512,
                          invoked_function_arn=f"arn:aws:lambda:ap-east-1:{ACCOUNT}:function:r", aws_request_id="r-1",
                          get_remaining_time_in_millis=lambda: 300_000)


def placeholder(logical_id: str, resource_type: str) -> str:
    """An ARN of the skipped resource's kind (moto checks a state machine's role ARN, for one)."""
    if resource_type == "AWS::IAM::Role":
        return f"arn:aws:iam::{ACCOUNT}:role/skipped-{logical_id}"
    return f"arn:aws:lambda:ap-east-1:{ACCOUNT}:function:skipped-{logical_id}"


def moto_template(template: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The template restricted to what moto creates, and the skipped resources (logical id -> type)."""
    resources = template["Resources"]
    kept = {k for k, v in resources.items() if v["Type"] in KEPT}
    skipped = {k: v["Type"] for k, v in resources.items() if k not in kept}
    parameters = {name: spec.get("Default", PARAMETER_VALUES.get(name, "placeholder"))
                  for name, spec in template.get("Parameters", {}).items()}

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Ref"} and (value["Ref"] in skipped or value["Ref"] in parameters):
                return placeholder(value["Ref"], skipped[value["Ref"]]) if value["Ref"] in skipped else parameters[value["Ref"]]
            if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in skipped:
                return placeholder(value["Fn::GetAtt"][0], skipped[value["Fn::GetAtt"][0]])
            if set(value) == {"Fn::Sub"}:
                text, variables = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
                text = re.sub(r"\$\{([A-Za-z0-9]+)(\.[A-Za-z.]+)?\}",
                              lambda m: placeholder(m[1], skipped[m[1]]) if m[1] in skipped else parameters.get(m[1], m[0]), text)
                return {"Fn::Sub": [text, rewrite(variables)] if variables else text}
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        return value

    out: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}
    if "Conditions" in template:
        out["Conditions"] = rewrite(template["Conditions"])
    for logical_id in _in_dependency_order(kept, resources):
        resource = {k: v for k, v in resources[logical_id].items() if k not in {"Metadata"}}
        depends = [d for d in (resource.pop("DependsOn", None) or []) if d in kept]
        resource = rewrite(resource)
        if resource["Type"] == "AWS::KMS::Key":
            resource["Properties"].pop("Tags", None)  # moto's KMS reads CloudFormation's Key/Value tags as TagKey/TagValue
        if depends:
            resource["DependsOn"] = depends
        out["Resources"][logical_id] = resource
    return out, skipped


def _in_dependency_order(kept: set[str], resources: dict[str, Any]) -> list[str]:
    """moto creates resources in template order: each after the kept resources it refers to."""
    text = {k: json.dumps(resources[k]) for k in kept}
    needs = {k: {o for o in kept if o != k and re.search(rf'"{o}"|\$\{{{o}[.}}]', text[k])} for k in kept}
    ordered: list[str] = []
    while len(ordered) < len(kept):
        ready = sorted(k for k in kept if k not in ordered and needs[k] <= set(ordered))
        assert ready, f"a reference cycle among {sorted(set(kept) - set(ordered))}"
        ordered += ready
    return ordered


@pytest.fixture
def stack(synth: Synth, monkeypatch) -> Iterator[dict[str, Any]]:
    """The stack created in moto, with the user pool substituted; physical ids by logical id."""
    from moto import mock_aws

    from chalicelib.integrations.aws import reset_clients
    from chalicelib.settings import reset_settings
    from chalicelib.store import models

    template, skipped = moto_template(synth.template)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}):
        import boto3

        cloudformation = boto3.client("cloudformation", region_name="ap-east-1")
        cloudformation.create_stack(StackName="Yunchetong-test", TemplateBody=json.dumps(template))
        status = cloudformation.describe_stacks(StackName="Yunchetong-test")["Stacks"][0]["StackStatus"]
        physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                    for r in cloudformation.describe_stack_resources(StackName="Yunchetong-test")["StackResources"]}
        for logical_id, resource_type in list(skipped.items()):
            if resource_type in SUBSTITUTED:
                props = synth.template["Resources"][logical_id]["Properties"]
                pool = boto3.client("cognito-idp", region_name="ap-east-1").create_user_pool(
                    PoolName=props.get("UserPoolName", logical_id), MfaConfiguration=props.get("MfaConfiguration", "OFF"))
                physical[logical_id] = pool["UserPool"]["Id"]
                del skipped[logical_id]
        monkeypatch.setenv("TABLE_NAME", physical[logical_id_of(synth, synth.stack.storage.table)])
        monkeypatch.setenv("EVIDENCE_BUCKET", physical[logical_id_of(synth, synth.stack.storage.evidence)])
        monkeypatch.setenv("DOCUMENTS_BUCKET", physical[logical_id_of(synth, synth.stack.storage.documents)])
        reset_settings()
        reset_clients()
        models.reset_connections()
        print("skipped (moto's CloudFormation does not create them):", json.dumps(sorted(set(skipped.values()))))
        yield {"status": status, "physical": physical, "skipped": skipped, "template": template}
    reset_settings()
    reset_clients()
    models.reset_connections()


def test_the_data_resources_are_created_in_moto_cloudformation(synth: Synth, stack: dict[str, Any]) -> None:
    import boto3

    assert stack["status"] == "CREATE_COMPLETE"
    created = {k for k in stack["physical"]}
    wanted = {k for k, v in synth.template["Resources"].items() if v["Type"] in KEPT | SUBSTITUTED}
    assert wanted <= created
    kinds = {synth.template["Resources"][k]["Type"] for k in wanted}
    assert {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::StepFunctions::StateMachine",
            "AWS::Cognito::UserPool"} <= kinds
    table_name = stack["physical"][logical_id_of(synth, synth.stack.storage.table)]
    table = boto3.client("dynamodb", region_name="ap-east-1").describe_table(TableName=table_name)
    assert {index["IndexName"] for index in table["Table"].get("GlobalSecondaryIndexes", [])} == set(synth.stack.storage.index_names)
    machines = boto3.client("stepfunctions", region_name="ap-east-1").list_state_machines()["stateMachines"]
    assert len(machines) == len(synth.stack.workflows)
    buckets = {b["Name"] for b in boto3.client("s3", region_name="ap-east-1").list_buckets()["Buckets"]}
    assert {stack["physical"][logical_id_of(synth, b)] for b in (synth.stack.storage.evidence, synth.stack.storage.documents)} <= buckets
    assert "AWS::Lambda::Function" in stack["skipped"].values()  # listed, not silently lost


def test_the_migration_run_against_the_stack_makes_health_answer_200(synth: Synth, stack: dict[str, Any]) -> None:
    from chalice.test import Client

    from app import app
    from functions.reference_data.handler import handler

    with Client(app) as client:
        assert client.http.get("/health").status_code == 503  # an empty table: not ready
        properties = synth.template["Resources"][logical_id_of(synth, synth.stack.reference_data.resource)]["Properties"]
        event = {"RequestType": "Create", "ResourceProperties": {k: v for k, v in properties.items() if k != "ServiceToken"}}
        reply = handler(event, CONTEXT)
        assert int(reply["Data"]["Written"]) > 0
        health = client.http.get("/health")
        assert health.status_code == 200, health.body
        assert json.loads(health.body) == {"status": "ok", "seeded": True}
        # A re-deploy with unchanged data: nothing to write.
        again = handler({**event, "RequestType": "Update", "PhysicalResourceId": reply["PhysicalResourceId"]}, CONTEXT)
        assert again["Data"]["Written"] == "0"
