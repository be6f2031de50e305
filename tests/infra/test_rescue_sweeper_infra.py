"""The rescue sweeper construct (`infra/cdk/rescue_sweeper.py`): its function, schedule and
least-privilege role."""

from __future__ import annotations

import importlib
import json

from chalicelib.settings import Settings
from chalicelib.store.models import RescueOrderItem
from infra.workflows import RESCUE
from tests.infra.cdk_template import (
    STAGE,
    WORKFLOW_FUNCTION_ENV,
    Synth,
    arn,
    as_list,
    assert_items_and_one_index,
    assert_key_via_dynamodb_and_star_only_for_xray,
    assert_own_role_and_log_group,
    assert_scheduled_alone,
    assert_updates_only_report_counters,
    deliverer_function,
    granted,
    logical_id_of,
    machine_name,
    one_resource,
    policy_statements,
    rescue_sweeper_function,
    resource_of,
    state_machine_resource,
)

RESCUE_SWEEPER_HANDLER = "functions.rescue_sweeper.handler.handler"

# The rescue sweeper (chalicelib.services.rescue.steps.release_orphans): overdue open orders through the due index,
# their runs' status, then the task functions' compensation (case Query, truck GetItem, the case's
# TransactWriteItems of Puts). It never starts, stops or answers a run.
RESCUE_SWEEPER_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",  # the report counters only (assert_updates_only_report_counters)
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


def test_rescue_sweeper_runs_the_handler_with_the_machine_arn(synth: Synth) -> None:
    _, function = rescue_sweeper_function(synth)
    props = function["Properties"]
    assert props["Handler"] == RESCUE_SWEEPER_HANDLER
    module, attribute = RESCUE_SWEEPER_HANDLER.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))  # exists in the shipped code
    assert props["FunctionName"] == f"yunchetong-{STAGE}-rescue-sweeper"
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["x86_64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    _, deliverer = deliverer_function(synth)
    assert props["Code"] == deliverer["Properties"]["Code"]  # the same chalicelib + functions asset
    assert props.get("Layers") == deliverer["Properties"].get("Layers")
    env = props["Environment"]["Variables"]
    assert set(env) == RESCUE_SWEEPER_ENV
    machine_id, _ = state_machine_resource(synth, synth.stack.workflows[RESCUE.name])
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    assert env == {
        "STAGE": STAGE,
        "TABLE_NAME": {"Ref": table_id},
        "POWERTOOLS_SERVICE_NAME": "yunchetong",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        # without it release_orphans would take every open order for orphaned
        "RESCUE_STATE_MACHINE_ARN": {"Ref": machine_id},
    }
    assert "RESCUE_STATE_MACHINE_ARN" in {field.alias for field in Settings.model_fields.values()}


def test_rescue_sweeper_runs_every_5_minutes_one_at_a_time_without_retries(synth: Synth) -> None:
    function_id, function = rescue_sweeper_function(synth)
    assert_scheduled_alone(synth, function_id, function, "rate(5 minutes)")


def test_rescue_sweeper_has_its_own_role_and_log_group(synth: Synth) -> None:
    _, function = rescue_sweeper_function(synth)
    others = [synth.stack.api.role, synth.stack.delivery.role, *(w.function_role for w in synth.stack.workflows.values())]
    assert_own_role_and_log_group(synth, function, synth.stack.rescue_sweeper, others)


def test_rescue_sweeper_role_is_least_privilege(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.rescue_sweeper.role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions
    # no Scan, DeleteItem; no Start/Stop/SendTask*; no S3, secrets or SMS
    assert actions == RESCUE_SWEEPER_ACTIONS
    assert_updates_only_report_counters(synth, statements)
    # the table, and of its indexes only the due index (open orders by when their run must have moved them)
    assert_items_and_one_index(synth, statements, RescueOrderItem.gsi3.Meta.index_name)
    # reads the status of the rescue machine's runs only
    assert granted(statements, "states:DescribeExecution") == [arn("states", f"execution:{machine_name(RESCUE.name)}:*")]
    # the same table statements as the rescue task functions (the compensation is their code)
    _, task_role = resource_of(synth, synth.stack.workflows[RESCUE.name].function_role)
    task_statements = {json.dumps(s, sort_keys=True) for s in policy_statements(task_role)}
    for statement in statements:
        if any(a.startswith(("kms:", "dynamodb:")) for a in as_list(statement["Action"])) and statement.get("Sid") != "RescueDueIndex":
            assert json.dumps(statement, sort_keys=True) in task_statements, statement
    assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)
    # logs only to its own log group
    log_group_id = logical_id_of(synth, synth.stack.rescue_sweeper.log_group)
    assert granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]
