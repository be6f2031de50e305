"""`ApiFirewall`: AWS WAF in front of the Chalice API's stage, a REGIONAL web ACL (ADR 0031): AWS's
common rule set and two rate limits, one per client (the address CloudFront forwards) and one per
source address (what reaches the stage directly, or one edge location's total)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Fn
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.cdk.common import Capability

# Requests per 5 minutes (WAF's evaluation window).
CLIENT_RATE_LIMIT = 1500
SOURCE_RATE_LIMIT = 20000


def _rule(name: str, priority: int, statement: dict[str, Any], *, managed: bool = False) -> dict[str, Any]:
    action = {"OverrideAction": {"None": {}}} if managed else {"Action": {"Block": {}}}
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}
    return {"Name": name, "Priority": priority, "Statement": statement, "VisibilityConfig": visibility, **action}


class ApiFirewall(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, rest_api: str) -> None:
        """`rest_api`: the logical id of the SAM API (Chalice's `RestAPI`)."""
        super().__init__(scope, construct_id, stage=stage)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "ApiWebAcl",
            name=self.physical_name("api"),
            description=self.describe("web ACL of the API stage"),
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
                sampled_requests_enabled=True, cloud_watch_metrics_enabled=True, metric_name="api"
            ),
        )
        # The rules in CloudFormation's own spelling (the typed structs add nothing but nesting).
        self.web_acl.add_property_override(
            "Rules",
            [
                _rule(
                    "AWSManagedRulesCommonRuleSet",
                    0,
                    {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
                    managed=True,
                ),
                # Behind CloudFront every request comes from an edge address: the client is the
                # first address of X-Forwarded-For (a request without it counts as one client).
                _rule(
                    "RatePerClient",
                    1,
                    {
                        "RateBasedStatement": {
                            "Limit": CLIENT_RATE_LIMIT,
                            "AggregateKeyType": "FORWARDED_IP",
                            "ForwardedIPConfig": {"HeaderName": "X-Forwarded-For", "FallbackBehavior": "MATCH"},
                        }
                    },
                ),
                # The first X-Forwarded-For address is the caller's to write: this one cannot be forged.
                _rule("RatePerSource", 2, {"RateBasedStatement": {"Limit": SOURCE_RATE_LIMIT, "AggregateKeyType": "IP"}}),
            ],
        )
        # `${RestAPI.Stage}`: SAM's reference to the stage it generates (resolved by the Serverless
        # transform, in Fn::Sub as in Ref), so the association waits for the stage.
        self.stage_arn = Fn.sub(
            f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}::/restapis/${{{rest_api}}}/stages/${{{rest_api}.Stage}}"
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "ApiWebAclAssociation", resource_arn=self.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
