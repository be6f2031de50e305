"""The monitoring construct (`infra/cdk/monitoring.py`): alarms on the alarm topic."""

from __future__ import annotations

from typing import Any

from tests.infra.cdk_template import (
    Synth,
    calendar_check_function,
    deliverer_function,
    mediation_sweeper_function,
    one_resource,
    rescue_sweeper_function,
    resources_of,
    state_machine_resource,
)


def _alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props]
    return [query["MetricStat"]["Metric"] for query in props.get("Metrics", []) if "MetricStat" in query]


def test_alarms_cover_api_deliverer_and_sweeper_errors_and_table_throttles(synth: Synth) -> None:
    alarms = resources_of(synth, "AWS::CloudWatch::Alarm")
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
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
    for function_id in (deliverer_function(synth)[0], rescue_sweeper_function(synth)[0], calendar_check_function(synth)[0],
                        mediation_sweeper_function(synth)[0]):
        assert any(
            m["Namespace"] == "AWS/Lambda"
            and m["MetricName"] == "Errors"
            and {"Name": "FunctionName", "Value": {"Ref": function_id}} in m["Dimensions"]
            for m in metrics
        ), function_id
    topic_id, _ = one_resource(synth, "AWS::SNS::Topic")
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}], name


def test_alarm_on_every_failed_workflow_run(synth: Synth) -> None:
    # a failed run ended the order FAILED, or CompensationFailed: a truck may still be held
    alarms = resources_of(synth, "AWS::CloudWatch::Alarm").values()
    for name, deployed in synth.stack.workflows.items():
        dimension = {"Name": "StateMachineArn", "Value": {"Ref": state_machine_resource(synth, deployed)[0]}}
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


def test_alarm_when_next_years_calendar_is_missing(synth: Synth) -> None:
    # functions/calendar_check publishes the metric (1 from 1 December while next year is not loaded)
    alarms = resources_of(synth, "AWS::CloudWatch::Alarm").values()
    found = [
        alarm["Properties"]
        for alarm in alarms
        if alarm["Properties"].get("MetricName") == "NextYearCalendarMissing"
    ]
    assert len(found) == 1
    (alarm,) = found
    assert alarm["Namespace"] == "Yunchetong"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "yunchetong"}]
    assert alarm["Statistic"] == "Maximum" and alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    rules = resources_of(synth, "AWS::Events::Rule").values()
    target = {"Fn::GetAtt": [calendar_check_function(synth)[0], "Arn"]}
    assert any(t["Arn"] == target for rule in rules for t in rule["Properties"]["Targets"])
