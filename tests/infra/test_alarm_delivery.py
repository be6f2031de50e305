"""Alarms go somewhere: the alarm topic's e-mail and HTTPS subscriptions come from deploy
parameters (each only when given), and the application's own metrics have alarms."""

from __future__ import annotations

from typing import Any

from tests.infra.cdk_template import Synth, one_resource, resources_of


def test_the_alarm_topic_takes_an_email_and_an_https_subscription_from_parameters_each_when_given(synth: Synth) -> None:
    topic_id, _ = one_resource(synth, "AWS::SNS::Topic")
    parameters = synth.template["Parameters"]
    assert parameters["AlarmEmail"]["Default"] == "" and parameters["AlarmHttpsEndpoint"]["Default"] == ""
    subscriptions = {s["Properties"]["Protocol"]: s for s in resources_of(synth, "AWS::SNS::Subscription").values()}
    assert set(subscriptions) == {"email", "https"}
    for protocol, parameter in (("email", "AlarmEmail"), ("https", "AlarmHttpsEndpoint")):
        subscription = subscriptions[protocol]
        assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
        assert subscription["Properties"]["Endpoint"] == {"Ref": parameter}
        condition = synth.template["Conditions"][subscription["Condition"]]
        assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]}


def _metric_alarms(synth: Synth, name: str) -> list[dict[str, Any]]:
    found = []
    for alarm in resources_of(synth, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        metrics = [props] if "MetricName" in props else [q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q]
        if any(m.get("Namespace") == "Yunchetong" and m["MetricName"] == name for m in metrics):
            found.append(props)
    return found


def test_workflow_step_errors_alarm_per_workflow(synth: Synth) -> None:
    alarms = _metric_alarms(synth, "WorkflowStepErrors")
    workflows = sorted(d["Value"] for a in alarms for d in a["Dimensions"] if d["Name"] == "workflow")
    assert workflows == sorted(synth.stack.workflows)
    assert all(a["Threshold"] == 1 and a["Statistic"] == "Sum" for a in alarms)


def test_a_day_without_reports_and_a_day_of_reports_without_letters_alarm(synth: Synth) -> None:
    (quiet,) = [a for a in _metric_alarms(synth, "CasesReported") if "MetricName" in a]
    assert quiet["ComparisonOperator"] == "LessThanThreshold" and quiet["Period"] == 86400
    assert quiet["TreatMissingData"] == "breaching"
    (stuck,) = _metric_alarms(synth, "LettersIssued")
    expression = next(q["Expression"] for q in stuck["Metrics"] if "Expression" in q)
    assert "reported >= 10" in expression and "issued < 1" in expression


def test_every_alarm_notifies_the_topic(synth: Synth) -> None:
    topic_id, _ = one_resource(synth, "AWS::SNS::Topic")
    for alarm_id, alarm in resources_of(synth, "AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}], alarm_id
