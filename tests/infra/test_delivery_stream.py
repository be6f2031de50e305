"""Delivery in seconds (`infra/cdk/delivery.py`, ADR 0034): the table's stream, filtered to newly
inserted outbox messages, triggers the stream deliverer with per-record failures; the one-minute
schedule stays for retries; failed deliveries and dead letters alarm on the alarm topic."""

from __future__ import annotations

import json

from chalicelib.store import outbox
from tests.infra.cdk_template import (
    Synth,
    as_list,
    granted,
    logical_id_of,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
)


def test_the_table_stream_triggers_the_stream_deliverer_filtered_to_new_outbox_messages(synth: Synth) -> None:
    function_id, function = resource_of(synth, synth.stack.delivery.stream_function)
    assert function["Properties"]["Handler"] == "functions.deliverer.handler.handler"
    table_id, table = one_resource(synth, "AWS::DynamoDB::Table")
    assert table["Properties"]["StreamSpecification"]["StreamViewType"] in {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}
    (mapping,) = [m["Properties"] for m in resources_of(synth, "AWS::Lambda::EventSourceMapping").values()
                  if m["Properties"]["FunctionName"] == {"Ref": function_id}]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumBatchingWindowInSeconds"] == 0
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["MaximumRetryAttempts"] == 2 and mapping["BisectBatchOnFunctionError"] is True
    (pattern,) = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": outbox.key_prefix()}]}}}}
    env = function["Properties"]["Environment"]["Variables"]
    assert env["WECHAT_TOKEN_FETCH"] == "refresher"
    assert "VpcConfig" not in function["Properties"]


def test_the_stream_deliverer_role_is_the_deliverers_plus_reading_the_stream(synth: Synth) -> None:
    _, stream_role = resource_of(synth, synth.stack.delivery.stream_role)
    _, role = resource_of(synth, synth.stack.delivery.role)
    stream_statements = policy_statements(stream_role)
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    stream_actions = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}
    for action in stream_actions:
        assert granted(stream_statements, action) == [{"Fn::GetAtt": [table_id, "StreamArn"]}], action
    deliverer_actions = {a for s in policy_statements(role) for a in as_list(s["Action"])}
    assert {a for s in stream_statements for a in as_list(s["Action"])} == deliverer_actions | stream_actions
    log_group_id = logical_id_of(synth, synth.stack.delivery.log_group)
    assert granted(stream_statements, "logs:PutLogEvents") == [{"Fn::GetAtt": [log_group_id, "Arn"]}]


def test_the_scheduled_deliverer_stays_for_retries_and_reads_the_shared_token(synth: Synth) -> None:
    _, function = resource_of(synth, synth.stack.delivery.function)
    assert function["Properties"]["Environment"]["Variables"]["WECHAT_TOKEN_FETCH"] == "refresher"


def test_dead_messages_and_failed_deliveries_alarm_on_the_alarm_topic(synth: Synth) -> None:
    topic_id, _ = one_resource(synth, "AWS::SNS::Topic")
    alarms = {a["Properties"].get("MetricName"): a["Properties"] for a in resources_of(synth, "AWS::CloudWatch::Alarm").values()}
    for name, threshold in (("DeadMessages", 1), ("DeliveriesFailed", 10)):
        alarm = alarms[name]
        assert alarm["Namespace"] == "Yunchetong" and alarm["Dimensions"] == [{"Name": "service", "Value": "yunchetong"}]
        assert alarm["Statistic"] == "Sum" and alarm["Threshold"] == threshold
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
    stream_id = logical_id_of(synth, synth.stack.delivery.stream_function)
    refresher_id = logical_id_of(synth, synth.stack.wechat_egress.function)
    errors = [a for a in resources_of(synth, "AWS::CloudWatch::Alarm").values() if a["Properties"].get("MetricName") == "Errors"]
    for function_id in (stream_id, refresher_id):
        assert any({"Name": "FunctionName", "Value": {"Ref": function_id}} in a["Properties"]["Dimensions"] for a in errors), function_id
