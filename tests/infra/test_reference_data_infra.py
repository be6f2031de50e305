"""The reference data migration in the template: a custom resource whose property is the data's
content hash (so CloudFormation calls it only when the data changed), run by our function with a
role that may read and write the table's items and nothing else."""

from __future__ import annotations

from infra.cdk.reference_data import content_hash
from infra.cdk.stack import PROJECT_ROOT
from tests.infra.cdk_template import Synth, granted, logical_id_of, one_resource, policy_statements, resource_of


def test_the_custom_resource_carries_the_data_hash_and_runs_the_migration_function(synth: Synth) -> None:
    _, resource = one_resource(synth, "Custom::ReferenceData")
    props = resource["Properties"]
    assert props["Seed"] == "seed_yancheng"
    assert props["ContentHash"] == content_hash(PROJECT_ROOT) and len(props["ContentHash"]) == 64
    function_id = logical_id_of(synth, synth.stack.reference_data.function)
    function = synth.template["Resources"][function_id]["Properties"]
    assert function["Handler"] == "functions.reference_data.handler.handler"
    assert function["Runtime"] == "python3.12"
    # the provider framework calls our function, and the resource waits for the table
    assert any(synth.template["Resources"][k].get("Properties", {}).get("Environment", {}).get("Variables", {}).get(
        "USER_ON_EVENT_FUNCTION_ARN") == {"Fn::GetAtt": [function_id, "Arn"]} for k in synth.template["Resources"])


def test_the_migration_role_reads_and_writes_table_items_only(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.reference_data.role)
    statements = policy_statements(role)
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    for action in ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:PutItem"):
        assert granted(statements, action) == [{"Fn::GetAtt": [table_id, "Arn"]}], action
    assert granted(statements, "dynamodb:DeleteItem") == [] and granted(statements, "dynamodb:Scan") == []


def test_the_content_hash_changes_with_the_data_and_only_then(tmp_path) -> None:
    config = tmp_path / "chalicelib" / "config"
    config.mkdir(parents=True)
    (config / "seed_yancheng.json").write_text('{"version": "1"}')
    first = content_hash(tmp_path)
    assert content_hash(tmp_path) == first
    (config / "seed_yancheng.json").write_text('{"version": "2"}')
    assert content_hash(tmp_path) != first


def test_the_provider_role_may_invoke_the_migration_function_only(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.reference_data.provider_role)
    function_arn = {"Fn::GetAtt": [logical_id_of(synth, synth.stack.reference_data.function), "Arn"]}
    assert granted(policy_statements(role), "lambda:InvokeFunction") == [function_arn, {"Fn::Join": ["", [function_arn, ":*"]]}]
