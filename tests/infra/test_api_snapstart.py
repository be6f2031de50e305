"""SnapStart on the API (ADR 0037): outside aws-cn, the API handler publishes a version with
SnapStart at each deploy behind the alias `live`, and everything that reaches the function
(API Gateway's integrations and its invoke permission) or watches it (the alarms) names the alias.
(aws-cn, where none of it exists: tests/infra/test_partition.py.)"""

from __future__ import annotations

import json
from typing import Any

from infra.cdk.api import API_HANDLER, INVOKE_PERMISSION, REST_API
from tests.infra.cdk_template import PUBLISH_TAG, Synth, resources_of

# The alias's ARN: the function's, qualified by the alias name. SAM names the alias resource
# `<function>Alias<alias>` (its "generated resources" page), which the permission waits for.
ALIAS_ARN = "${APIHandler.Arn}:live"
ALIAS_INVOCATION_URI = {
    "Fn::Sub": f"arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{ALIAS_ARN}/invocations"
}


def _integrations(synth: Synth) -> list[dict[str, Any]]:
    body = synth.template["Resources"][REST_API]["Properties"]["DefinitionBody"]
    return [
        operation["x-amazon-apigateway-integration"]
        for path in body["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation
    ]


def test_api_handler_publishes_a_snap_started_version_behind_the_live_alias_on_any_change(synth: Synth) -> None:
    props = synth.template["Resources"][API_HANDLER]["Properties"]
    assert props["AutoPublishAlias"] == "live"
    assert props["AutoPublishAliasAllProperties"] is True  # an environment change publishes too
    assert props["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_each_deploy_publishes_a_version_even_when_only_a_parameter_changed(synth: Synth) -> None:
    # SAM's version identity hashes the properties as written (a parameter's Ref, not its value) and
    # this tag: make deploy passes the deploy's time, so `live` never keeps stale parameter values.
    props = synth.template["Resources"][API_HANDLER]["Properties"]
    assert props["AutoPublishCodeSha256"] == PUBLISH_TAG


def test_every_route_integration_invokes_the_alias_never_latest(synth: Synth) -> None:
    integrations = _integrations(synth)
    assert len(integrations) > 50
    assert {json.dumps(i["uri"]) for i in integrations} == {json.dumps(ALIAS_INVOCATION_URI)}
    body = synth.template["Resources"][REST_API]["Properties"]["DefinitionBody"]
    assert "${APIHandler.Arn}/" not in json.dumps(body)
    # the rest of chalice's body (its paths, models, binary types) is kept as packaged
    packaged = synth.stack.api.app.packaged_resource(REST_API)["Properties"]["DefinitionBody"]
    assert packaged.keys() == body.keys() and packaged["paths"].keys() == body["paths"].keys()


def test_api_gateway_may_invoke_only_the_alias_once_it_exists(synth: Synth) -> None:
    permission = synth.template["Resources"][INVOKE_PERMISSION]
    assert permission["Properties"]["FunctionName"] == {"Fn::Sub": ALIAS_ARN}
    assert permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
    assert permission["DependsOn"] == ["APIHandlerAliaslive"]
    on_api_handler = [
        p["Properties"] for p in resources_of(synth, "AWS::Lambda::Permission").values()
        if "APIHandler" in json.dumps(p["Properties"]["FunctionName"])
    ]
    assert on_api_handler == [permission["Properties"]]


def test_api_handler_alarms_watch_the_alias(synth: Synth) -> None:
    watched = [
        alarm["Properties"] for alarm in resources_of(synth, "AWS::CloudWatch::Alarm").values()
        if {"Name": "FunctionName", "Value": {"Ref": API_HANDLER}} in alarm["Properties"].get("Dimensions", [])
    ]
    assert sorted(a["MetricName"] for a in watched) == ["Errors", "Throttles"]
    for alarm in watched:
        assert {"Name": "Resource", "Value": {"Fn::Join": [":", [{"Ref": API_HANDLER}, "live"]]}} in alarm["Dimensions"]
