"""The Chalice API's protection (ADR 0031): access logs kept a year, stage throttling and execution
logs of errors, the account-level logging role API Gateway needs, and a REGIONAL web ACL (AWS's
common rules, rate limits per client and per source) associated with the stage."""

from __future__ import annotations

import json
import re

from aws_cdk import Validations

from infra.cdk.api import ACCESS_LOG_FORMAT
from infra.cdk.api_firewall import CLIENT_RATE_LIMIT, SOURCE_RATE_LIMIT
from tests.infra.cdk_template import Synth, as_list, one_resource, resource_of


def rest_api(synth: Synth) -> dict:
    api = synth.template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    return api


def test_stage_writes_access_logs_to_a_log_group_kept_a_year(synth: Synth) -> None:
    setting = rest_api(synth)["Properties"]["AccessLogSetting"]
    log_group_id, log_group = resource_of(synth, synth.stack.api.access_logs)
    assert setting["DestinationArn"] == {"Fn::GetAtt": [log_group_id, "Arn"]}
    assert log_group["Properties"]["RetentionInDays"] == 365
    assert log_group["DeletionPolicy"] == "Retain"
    fields = json.loads(setting["Format"])
    assert {"requestId", "ip", "status", "route"} <= fields.keys()
    # the route template, never the path or the query string (tokens, ids)
    assert fields["route"] == "$context.resourcePath"
    assert "$context.path" not in ACCESS_LOG_FORMAT and "querystring" not in ACCESS_LOG_FORMAT.lower()


def test_stage_is_throttled_and_logs_errors_without_bodies(synth: Synth) -> None:
    (settings,) = rest_api(synth)["Properties"]["MethodSettings"]
    assert settings["ResourcePath"] == "/*" and settings["HttpMethod"] == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False


def test_api_gateway_logs_through_the_account_role_set_before_the_stage(synth: Synth) -> None:
    account_id, account = one_resource(synth, "AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = synth.template["Resources"][role_id]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert account_id in as_list(rest_api(synth).get("DependsOn", []))


def test_web_acl_is_regional_with_common_rules_and_rate_limits(synth: Synth) -> None:
    acl_id, acl = one_resource(synth, "AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in props["Rules"]}
    assert rules["AWSManagedRulesCommonRuleSet"]["Statement"] == {
        "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
    }
    assert rules["AWSManagedRulesCommonRuleSet"]["OverrideAction"] == {"None": {}}  # the group's own block actions
    client = rules["RatePerClient"]["Statement"]["RateBasedStatement"]
    assert client == {
        "Limit": CLIENT_RATE_LIMIT,
        "AggregateKeyType": "FORWARDED_IP",
        "ForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"},
    }
    assert rules["RatePerSource"]["Statement"]["RateBasedStatement"] == {"Limit": SOURCE_RATE_LIMIT, "AggregateKeyType": "IP"}
    for name in ("RatePerClient", "RatePerSource"):
        assert rules[name]["Action"] == {"Block": {}}
    assert len({rule["Priority"] for rule in props["Rules"]}) == len(rules)
    assert all(rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] for rule in props["Rules"])
    assert acl_id == synth.stack.resolve(synth.stack.api_firewall.web_acl.logical_id)


def test_web_acl_is_associated_with_the_api_stage(synth: Synth) -> None:
    acl_id, _ = one_resource(synth, "AWS::WAFv2::WebACL")
    _, association = one_resource(synth, "AWS::WAFv2::WebACLAssociation")
    props = association["Properties"]
    assert props["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    # SAM's `RestAPI.Stage` names the stage it generates, so the association waits for the stage
    stage_arn = "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${RestAPI.Stage}"
    assert props["ResourceArn"] == {"Fn::Sub": stage_arn}


def test_nothing_is_acknowledged_for_the_api_or_its_stage(synth: Synth) -> None:
    # the Chalice API meets the API Gateway rules (APIG1 logs, APIG3 WAF, APIG6 execution logs)
    # rather than being left out of them; only the logging role's AWS policy is accepted
    acknowledged = {
        (construct.node.path, rule)
        for construct in synth.stack.api.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule in entry.data
    }
    assert {rule.removeprefix("Annotation::").split("[")[0] for _, rule in acknowledged} <= {"AwsSolutions-IAM4", "AwsSolutions-IAM5"}
    assert not [path for path, _ in acknowledged if "RestAPI" in path or path.endswith("/Api/Api")]


def test_no_acknowledgment_is_a_to_do(synth: Synth) -> None:
    # an accepted finding states why it is right, not that it will be fixed
    to_do = re.compile(r"\b(todo|to-do|to do|fixme|for now|not yet|later|temporar\w*)\b", re.IGNORECASE)
    reasons = [
        (construct.node.path, rule, reason)
        for construct in synth.stack.node.find_all()
        for entry in construct.node.metadata
        if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        for rule, reason in entry.data.items()
    ]
    assert reasons
    assert [r for r in reasons if to_do.search(r[2])] == []
