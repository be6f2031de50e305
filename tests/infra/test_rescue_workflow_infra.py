"""Each workflow of `infra.workflows` as deployed (`infra/cdk/workflow.py`): the state machine from its
definition file, one function per task, the functions' and the machine's roles."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from chalicelib.store.models import TowTruckItem
from infra.workflows import PARTITION
from tests.infra.cdk_template import (
    STAGE,
    WORKFLOW_FUNCTION_ENV,
    WORKFLOW_NAMES,
    Synth,
    arn,
    as_list,
    assert_items_and_indexes,
    assert_key_via_dynamodb_and_star_only_for_xray,
    assert_updates_only_report_counters,
    deliverer_function,
    granted,
    logical_id_of,
    machine_name,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
    state_machine_resource,
    task_functions,
)

# A workflow's task functions (chalicelib.services.rescue.steps): read the case and trucks, write the
# case's transaction, answer their own waiting task.
WORKFLOW_FUNCTION_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",  # the report counters only (assert_updates_only_report_counters)
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

# A state machine's role: invoke its functions; log delivery and X-Ray take no resource ARN.
# The indexes each workflow's steps query besides the case's partition.
STEP_INDEXES = {"rescue": [TowTruckItem.gsi1.Meta.index_name], "medical": []}

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


def test_every_workflow_of_the_registry_has_its_state_machine(synth: Synth) -> None:
    assert sorted(synth.stack.workflows) == sorted(WORKFLOW_NAMES)
    assert set(resources_of(synth, "AWS::StepFunctions::StateMachine")) == {
        logical_id_of(synth, deployed.state_machine) for deployed in synth.stack.workflows.values()
    }


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_is_standard_from_the_definition_file_with_every_placeholder_substituted(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    workflow = deployed.workflow
    _, machine = state_machine_resource(synth, deployed)
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert props["StateMachineName"] == machine_name(name)
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
    by_handler = {props["Handler"]: logical_id for logical_id, props in task_functions(synth, deployed).items()}
    for task in workflow.functions:
        assert substitutions[task.placeholder] == {"Fn::GetAtt": [by_handler[task.handler], "Arn"]}, task


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_logs_every_transition_and_is_traced(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, machine = state_machine_resource(synth, deployed)
    logs_id = logical_id_of(synth, deployed.state_machine_logs)
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
    functions = task_functions(synth, deployed)
    tasks = {task.handler: task for task in deployed.workflow.functions}
    assert sorted(props["Handler"] for props in functions.values()) == sorted(tasks)
    _, deliverer = deliverer_function(synth)
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    log_group_id = logical_id_of(synth, deployed.function_logs)
    for props in functions.values():
        assert props["FunctionName"] == f"yunchetong-{STAGE}-{tasks[props['Handler']].name}"
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["x86_64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["Code"] == deliverer["Properties"]["Code"]  # the same chalicelib + functions asset
        assert props.get("Layers") == deliverer["Properties"].get("Layers")
        assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}
        env = props["Environment"]["Variables"]
        assert set(env) == WORKFLOW_FUNCTION_ENV
        assert env == {"STAGE": STAGE, "TABLE_NAME": {"Ref": table_id}, "POWERTOOLS_SERVICE_NAME": "yunchetong",
                       "PYDANTIC_DISABLE_PLUGINS": "__all__"}
    assert synth.template["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 365
    # the handler setting names a function that exists in the shipped code
    for handler in tasks:
        module, attribute = handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attribute)), handler


# The workflows whose steps search standby trucks (the fund's own role: tests/infra/test_fund_infra.py).
TRUCK_SEARCHING = ["rescue"]


@pytest.mark.parametrize("name", TRUCK_SEARCHING)
def test_workflow_function_role_is_least_privilege(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, role = resource_of(synth, deployed.function_role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions  # no dynamodb:* or states:*
    assert actions == WORKFLOW_FUNCTION_ACTIONS  # no Scan, DeleteItem, S3, secrets, SMS
    # the table, and of its indexes only the rescue's standby trucks' (the case is one Query on its partition)
    assert_items_and_indexes(synth, statements, STEP_INDEXES[name])
    assert_updates_only_report_counters(synth, statements)
    # answers a task only on its own state machine (the ARN from the name: a Ref would be a cycle)
    assert granted(statements, "states:SendTaskSuccess") == [arn("states", f"stateMachine:{machine_name(name)}")]
    assert state_machine_resource(synth, deployed)[1]["Properties"]["StateMachineName"] == machine_name(name)
    assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)
    # logs only to the workflow's log group
    assert granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [logical_id_of(synth, deployed.function_logs), "Arn"]}]


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_state_machine_role_invokes_exactly_its_functions(synth: Synth, name: str) -> None:
    deployed = synth.stack.workflows[name]
    _, machine = state_machine_resource(synth, deployed)
    role_id, role = resource_of(synth, deployed.state_machine_role)
    assert machine["Properties"]["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    invoked = granted(statements, "lambda:InvokeFunction")
    functions = {k: v for k, v in machine["Properties"]["DefinitionSubstitutions"].items() if k != PARTITION}
    assert sorted(invoked, key=json.dumps) == sorted(functions.values(), key=json.dumps)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert actions == {"lambda:InvokeFunction"} | STATE_MACHINE_STAR_ACTIONS
    for statement in statements:
        if as_list(statement["Resource"]) == ["*"]:
            assert set(as_list(statement["Action"])) <= STATE_MACHINE_STAR_ACTIONS, statement
        else:
            assert as_list(statement["Action"]) == ["lambda:InvokeFunction"], statement
