"""The mediation sweeper construct (`infra/cdk/mediation_sweeper.py`): its function, hourly schedule,
least-privilege role and alarm. It also records the claims whose insurer clock ran out (issue 15)."""

from __future__ import annotations

import importlib

from chalicelib.store.models import CaseItem, ClaimItem
from tests.infra.cdk_template import (
    STAGE,
    Synth,
    as_list,
    assert_items_and_indexes,
    assert_one_errors_alarm_on_topic,
    assert_own_role_and_log_group,
    assert_scheduled_alone,
    assert_updates_only_report_counters,
    data_key_id,
    deliverer_function,
    documents_bucket,
    granted,
    logical_id_of,
    mediation_sweeper_function,
    policy_statements,
    resource_of,
)

HANDLER = "functions.mediation_sweeper.handler.handler"

# close_overdue_everywhere: the MEDIATING queue (index Query), the case (Query), the termination PDF
# (put, read back for its hash, locked; a draft never recorded deleted by version), the case's
# TransactWriteItems of conditioned Puts and the report counters' ADD (UpdateItem); the data key through
# DynamoDB and S3. record_overdue_everywhere: the insurer-clock index (Query), the case, its transaction.
ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "s3:PutObject",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:PutObjectRetention",
    "s3:DeleteObjectVersion",
    "s3:ListBucket",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def test_mediation_sweeper_runs_the_handler_with_the_table_documents_and_public_url(synth: Synth) -> None:
    _, function = mediation_sweeper_function(synth)
    props = function["Properties"]
    assert props["Handler"] == HANDLER
    module, attribute = HANDLER.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))
    assert props["FunctionName"] == f"yunchetong-{STAGE}-mediation-sweeper"
    _, deliverer = deliverer_function(synth)
    assert props["Code"] == deliverer["Properties"]["Code"]
    env = props["Environment"]["Variables"]
    assert set(env) == {"STAGE", "TABLE_NAME", "POWERTOOLS_SERVICE_NAME", "PYDANTIC_DISABLE_PLUGINS", "EVIDENCE_BUCKET",
                        "DOCUMENTS_BUCKET", "PUBLIC_BASE_URL"}
    assert env["PUBLIC_BASE_URL"] == deliverer["Properties"]["Environment"]["Variables"]["PUBLIC_BASE_URL"]


def test_mediation_sweeper_runs_hourly_one_at_a_time_without_retries(synth: Synth) -> None:
    function_id, function = mediation_sweeper_function(synth)
    assert_scheduled_alone(synth, function_id, function, "rate(1 hour)")


def test_mediation_sweeper_has_its_own_role_and_log_group(synth: Synth) -> None:
    _, function = mediation_sweeper_function(synth)
    others = [synth.stack.api.role, synth.stack.delivery.role, synth.stack.rescue_sweeper.role, synth.stack.calendar_check.role,
              *(w.function_role for w in synth.stack.workflows.values())]
    assert_own_role_and_log_group(synth, function, synth.stack.mediation_sweeper, others)


def test_mediation_sweeper_role_is_least_privilege(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.mediation_sweeper.role)
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = policy_statements(role)
    actions = {action for s in statements for action in as_list(s["Action"])}
    assert all("*" not in action for action in actions), actions
    assert actions == ACTIONS  # no Scan, DeleteItem, s3:DeleteObject, secrets, SMS or workflows
    assert_items_and_indexes(synth, statements, [CaseItem.gsi1.Meta.index_name, ClaimItem.gsi2.Meta.index_name])
    assert_updates_only_report_counters(synth, statements)
    bucket_id, _ = documents_bucket(synth)
    for action in ("s3:PutObject", "s3:PutObjectRetention", "s3:DeleteObjectVersion"):
        (resource,) = granted(statements, action)
        assert resource["Fn::Join"][1][0] == {"Fn::GetAtt": [bucket_id, "Arn"]}, action
    data_key = {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in as_list(statement["Action"])):
            assert statement["Resource"] == data_key
            assert as_list(statement["Condition"]["StringEquals"]["kms:ViaService"]) == [
                {"Fn::Sub": "dynamodb.${AWS::Region}.amazonaws.com"}, {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}]
        if as_list(statement["Resource"]) == ["*"]:
            assert all(a.startswith("xray:") for a in as_list(statement["Action"])), statement
    log_group_id = logical_id_of(synth, synth.stack.mediation_sweeper.log_group)
    assert granted(statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


def test_a_failed_mediation_sweep_alarms(synth: Synth) -> None:
    function_id, _ = mediation_sweeper_function(synth)
    assert_one_errors_alarm_on_topic(synth, function_id)
