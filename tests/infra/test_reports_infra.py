"""The scheduled reports construct (`infra/cdk/reports.py`) and the reports bucket: EventBridge
Scheduler at 00:10 daily and 00:30 on the 1st in Asia/Shanghai, one function and least-privilege
role each, an alarm on a failed run, a versioned private bucket the API may publish to and presign."""

from __future__ import annotations

import importlib
import json
from types import SimpleNamespace

import pytest

from chalicelib.store import report_counters
from chalicelib.store import reports as report_items
from tests.infra.cdk_template import (
    STAGE,
    Synth,
    as_list,
    assert_one_errors_alarm_on_topic,
    assert_own_role_and_log_group,
    data_key_id,
    granted,
    logical_id_of,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
)

RUNS = {
    "ReportDaily": ("functions.report_daily.handler.handler", "cron(10 0 * * ? *)", "report-daily"),
    "ReportMonthly": ("functions.report_monthly.handler.handler", "cron(30 0 1 * ? *)", "report-monthly"),
}
ACTIONS = {
    "dynamodb:Query",
    "dynamodb:PutItem",
    "s3:PutObject",
    "s3:GetObject",
    "s3:GetObjectVersion",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _function(synth: Synth, name: str) -> tuple[str, dict]:
    return resource_of(synth, synth.stack.reports.functions[name])


def _schedule(synth: Synth, function_id: str) -> dict:
    (schedule,) = (s["Properties"] for s in resources_of(synth, "AWS::Scheduler::Schedule").values()
                   if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]})
    return schedule


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_report_function_runs_its_handler_with_the_table_and_the_reports_bucket(synth: Synth, name: str) -> None:
    handler, _, physical = RUNS[name]
    _, function = _function(synth, name)
    props = function["Properties"]
    assert props["Handler"] == handler
    module, attribute = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))
    assert props["FunctionName"] == f"yunchetong-{STAGE}-{physical}"
    assert set(props["Environment"]["Variables"]) == {"STAGE", "TABLE_NAME", "POWERTOOLS_SERVICE_NAME", "PYDANTIC_DISABLE_PLUGINS",
                                                 "REPORTS_BUCKET"}
    assert props["Environment"]["Variables"]["REPORTS_BUCKET"] == {"Ref": logical_id_of(synth, synth.stack.storage.reports)}
    assert props["ReservedConcurrentExecutions"] == 1


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_report_is_scheduled_in_beijing_time_with_the_scheduled_time_as_input(synth: Synth, name: str) -> None:
    function_id, _ = _function(synth, name)
    schedule = _schedule(synth, function_id)
    assert schedule["ScheduleExpression"] == RUNS[name][1]
    assert schedule["ScheduleExpressionTimezone"] == "Asia/Shanghai"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert json.loads(schedule["Target"]["Input"]) == {"time": "<aws.scheduler.scheduled-time>"}
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1  # a re-run replaces: retrying is safe
    scheduler_id = logical_id_of(synth, synth.stack.reports.scheduler_role)
    assert schedule["Target"]["RoleArn"] == {"Fn::GetAtt": [scheduler_id, "Arn"]}


def test_the_scheduler_may_only_invoke_the_two_report_functions(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.reports.scheduler_role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    statements = policy_statements(role)
    assert {a for s in statements for a in as_list(s["Action"])} == {"lambda:InvokeFunction"}
    functions = sorted(({"Fn::GetAtt": [_function(synth, name)[0], "Arn"]} for name in RUNS), key=json.dumps)
    assert sorted(granted(statements, "lambda:InvokeFunction"), key=json.dumps) == functions


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_report_function_has_its_own_least_privilege_role(synth: Synth, name: str) -> None:
    reports = synth.stack.reports
    _, function = _function(synth, name)
    other = next(n for n in RUNS if n != name)
    assert_own_role_and_log_group(synth, function, SimpleNamespace(role=reports.roles[name], log_group=reports.log_groups[name]),
                                  [synth.stack.api.role, synth.stack.mediation_sweeper.role, reports.roles[other]])
    _, role = resource_of(synth, reports.roles[name])
    statements = policy_statements(role)
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert actions == ACTIONS  # no Scan, GetItem, UpdateItem, DeleteItem, s3:DeleteObject, no index
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    by_action = {a: s for s in statements for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
    for action, pattern in (("dynamodb:Query", report_counters.LEADING_KEYS), ("dynamodb:PutItem", report_items.LEADING_KEYS)):
        assert by_action[action]["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]}
        assert by_action[action]["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [pattern]}}
    reports_id = logical_id_of(synth, synth.stack.storage.reports)
    for action in ("s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"):
        (resource,) = granted(statements, action)
        assert resource == {"Fn::Join": ["", [{"Fn::GetAtt": [reports_id, "Arn"]}, "/reports/*"]]}, action
    data_key = {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    for statement in statements:
        if any(a.startswith("kms:") for a in as_list(statement["Action"])):
            assert statement["Resource"] == data_key
        if as_list(statement["Resource"]) == ["*"]:
            assert all(a.startswith("xray:") for a in as_list(statement["Action"])), statement


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_failed_scheduled_report_alarms_on_the_alarm_topic(synth: Synth, name: str) -> None:
    function_id, _ = _function(synth, name)
    assert_one_errors_alarm_on_topic(synth, function_id)


def test_the_reports_bucket_is_versioned_encrypted_private_logged_and_retained(synth: Synth) -> None:
    _, bucket = resource_of(synth, synth.stack.storage.reports)
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}  # a re-run keeps the previous version
    assert "ObjectLockEnabled" not in props
    (encryption,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": [data_key_id(synth), "Arn"]}
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logical_id_of(synth, synth.stack.storage.access_logs)}
    assert bucket["DeletionPolicy"] == "Retain"


def test_the_api_may_publish_and_presign_reports_but_not_delete_them(synth: Synth) -> None:
    reports_id = logical_id_of(synth, synth.stack.storage.reports)
    _, role = resource_of(synth, synth.stack.api.role)
    on_reports = [s for s in policy_statements(role) if reports_id in json.dumps(s["Resource"])]
    assert [set(as_list(s["Action"])) for s in on_reports] == [{"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"}]
    env = synth.template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["REPORTS_BUCKET"] == {"Ref": reports_id}
