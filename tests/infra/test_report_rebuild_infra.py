"""The report rebuild in AWS (`infra/cdk/report_rebuild.py`, issue 15, ADR 0027): an on-demand
function an operator invokes (no schedule), with a role that reads only what the rebuild reads
(the cases' day lists on gsi2, the cases' and their audit logs' partitions, the figures' day
partitions) and writes only the figures' day partitions; its failures alarm."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from chalicelib.store import audit, case_items, report_counters
from tests.infra.cdk_template import (
    STAGE,
    Synth,
    as_list,
    assert_key_via_dynamodb_and_star_only_for_xray,
    assert_one_errors_alarm_on_topic,
    assert_own_role_and_log_group,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
)

ACTIONS = {
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}


def _function(synth: Synth) -> tuple[str, dict]:
    return resource_of(synth, synth.stack.report_rebuild.function)


def test_the_rebuild_function_runs_its_handler_with_the_table_only(synth: Synth) -> None:
    _, function = _function(synth)
    props = function["Properties"]
    assert props["Handler"] == "functions.report_rebuild.handler.handler"
    module, attribute = props["Handler"].rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))
    assert props["FunctionName"] == f"yunchetong-{STAGE}-report-rebuild"
    assert set(props["Environment"]["Variables"]) == {"STAGE", "TABLE_NAME", "POWERTOOLS_SERVICE_NAME", "PYDANTIC_DISABLE_PLUGINS"}
    assert props["ReservedConcurrentExecutions"] == 1  # two repairs of one period at once would race
    assert props["Timeout"] == 900  # up to 100 days of a unit, a Query per day and per case


def test_the_rebuild_is_invoked_by_an_operator_never_on_a_schedule(synth: Synth) -> None:
    function_id, _ = _function(synth)
    arn = {"Fn::GetAtt": [function_id, "Arn"]}
    schedules = [s["Properties"]["Target"]["Arn"] for s in resources_of(synth, "AWS::Scheduler::Schedule").values()]
    rules = [t["Arn"] for r in resources_of(synth, "AWS::Events::Rule").values() for t in r["Properties"].get("Targets", [])]
    assert arn not in schedules and arn not in rules
    assert not [p for p in resources_of(synth, "AWS::Lambda::Permission").values() if p["Properties"]["FunctionName"] == arn]
    output = synth.template["Outputs"]["ReportRebuildFunctionName"]
    assert output["Value"] == {"Ref": function_id}


def test_the_rebuild_role_reads_the_cases_and_writes_only_the_figures(synth: Synth) -> None:
    rebuild = synth.stack.report_rebuild
    _, function = _function(synth)
    assert_own_role_and_log_group(synth, function, rebuild,
                                  [synth.stack.api.role, *synth.stack.reports.roles.values(), synth.stack.mediation_sweeper.role])
    _, role = resource_of(synth, rebuild.role)
    statements = policy_statements(role)
    assert {a for s in statements for a in as_list(s["Action"])} == ACTIONS  # no Scan, GetItem, PutItem, UpdateItem, DeleteItem
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    table = {"Fn::GetAtt": [table_id, "Arn"]}
    on_table = {(a, json_key(s["Resource"])): s for s in statements for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
    day_lists = {"Fn::Join": ["", [table, "/index/gsi2"]]}
    assert set(on_table) == {("dynamodb:Query", json_key(table)), ("dynamodb:Query", json_key(day_lists)),
                             ("dynamodb:BatchWriteItem", json_key(table))}

    def leading_keys(action: str, resource: dict) -> list[str]:
        condition = on_table[(action, json_key(resource))]["Condition"]
        assert list(condition) == ["ForAllValues:StringLike"]
        return condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]

    assert leading_keys("dynamodb:Query", table) == [case_items.LEADING_KEYS, audit.LEADING_KEYS, report_counters.LEADING_KEYS]
    assert leading_keys("dynamodb:Query", day_lists) == [case_items.DAY_LEADING_KEYS]
    assert leading_keys("dynamodb:BatchWriteItem", table) == [report_counters.LEADING_KEYS]
    assert (case_items.LEADING_KEYS, audit.LEADING_KEYS, case_items.DAY_LEADING_KEYS) == ("CASE#*", "AUDIT#*", "DAY#*")
    assert_key_via_dynamodb_and_star_only_for_xray(synth, statements)


def json_key(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def test_a_failed_rebuild_alarms_on_the_alarm_topic(synth: Synth) -> None:
    function_id, _ = _function(synth)
    assert_one_errors_alarm_on_topic(synth, function_id)


def test_the_readme_invokes_the_rebuild_by_its_output(synth: Synth) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "ReportRebuildFunctionName" in readme
    assert "aws lambda invoke --function-name" in readme and '"from":' in readme
