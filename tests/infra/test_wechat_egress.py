"""The WeChat egress construct (`infra/cdk/wechat_egress.py`, ADR 0034): the token refresher in a VPC
whose only way out is a NAT gateway with an Elastic IP (output `WeChatEgressAddress`), flow logs on,
HTTPS out only; every other function outside the VPC."""

from __future__ import annotations

from typing import Any

from tests.infra.cdk_template import (
    Synth,
    as_list,
    assert_own_role_and_log_group,
    assert_scheduled_alone,
    granted,
    logical_id_of,
    one_resource,
    policy_statements,
    resource_of,
    resources_of,
)


def _refresher(synth: Synth) -> tuple[str, dict[str, Any]]:
    return resource_of(synth, synth.stack.wechat_egress.function)


def test_the_egress_address_is_an_elastic_ip_on_the_only_nat_gateway_and_an_output(synth: Synth) -> None:
    eip_id, eip = one_resource(synth, "AWS::EC2::EIP")
    assert eip["Properties"]["Domain"] == "vpc"
    _, nat = one_resource(synth, "AWS::EC2::NatGateway")
    assert nat["Properties"]["AllocationId"] == {"Fn::GetAtt": [eip_id, "AllocationId"]}
    assert synth.template["Outputs"]["WeChatEgressAddress"]["Value"] == {"Ref": eip_id}
    # the private subnets' only default route is that NAT gateway
    nat_id, _ = one_resource(synth, "AWS::EC2::NatGateway")
    routes = [r["Properties"] for r in resources_of(synth, "AWS::EC2::Route").values()]
    nat_routes = [r for r in routes if "NatGatewayId" in r]
    assert nat_routes and all(r["NatGatewayId"] == {"Ref": nat_id} and r["DestinationCidrBlock"] == "0.0.0.0/0" for r in nat_routes)


def test_the_refresher_runs_in_the_private_subnets_with_https_out_only(synth: Synth) -> None:
    function_id, function = _refresher(synth)
    props = function["Properties"]
    assert props["Handler"] == "functions.wechat_token.handler.handler"
    vpc_config = props["VpcConfig"]
    private = [synth.stack.resolve(s) for s in synth.stack.wechat_egress.private_subnet_ids]
    assert len(private) == 2 and vpc_config["SubnetIds"] == private
    nat_subnet = one_resource(synth, "AWS::EC2::NatGateway")[1]["Properties"]["SubnetId"]
    assert nat_subnet not in private  # the functions' subnets reach out only through the NAT
    (group,) = vpc_config["SecurityGroupIds"]
    _, security_group = resource_of(synth, synth.stack.wechat_egress.security_group)
    assert group == {"Fn::GetAtt": [logical_id_of(synth, synth.stack.wechat_egress.security_group), "GroupId"]}
    assert security_group["Properties"]["SecurityGroupEgress"] == [
        {"CidrIp": "0.0.0.0/0", "Description": "HTTPS to WeChat, Secrets Manager and DynamoDB", "FromPort": 443,
         "IpProtocol": "tcp", "ToPort": 443}
    ]
    assert "SecurityGroupIngress" not in security_group["Properties"]
    assert "WECHAT_TOKEN_FETCH" not in props["Environment"]["Variables"]  # it is the one that asks WeChat
    assert {"WECHAT_APP_ID", "APP_SECRETS_ID", "TABLE_NAME"} <= set(props["Environment"]["Variables"])
    assert_scheduled_alone(synth, function_id, function, "rate(2 minutes)")
    assert_own_role_and_log_group(synth, function, synth.stack.wechat_egress, [synth.stack.api.role, synth.stack.delivery.role])


def test_only_the_refresher_is_in_a_vpc(synth: Synth) -> None:
    in_vpc = [k for k, v in resources_of(synth, "AWS::Lambda::Function").items() if "VpcConfig" in v["Properties"]]
    assert in_vpc == [_refresher(synth)[0]]


def test_the_vpc_logs_its_flows_and_reaches_the_table_through_a_gateway_endpoint(synth: Synth) -> None:
    vpc_id, _ = one_resource(synth, "AWS::EC2::VPC")
    (flow_log,) = resources_of(synth, "AWS::EC2::FlowLog").values()
    assert flow_log["Properties"]["ResourceId"] == {"Ref": vpc_id}
    assert flow_log["Properties"]["TrafficType"] == "ALL"
    assert flow_log["Properties"]["LogGroupName"] == {"Ref": logical_id_of(synth, synth.stack.wechat_egress.flow_log_group)}
    (endpoint,) = resources_of(synth, "AWS::EC2::VPCEndpoint").values()
    assert endpoint["Properties"]["VpcEndpointType"] == "Gateway"
    assert "dynamodb" in str(endpoint["Properties"]["ServiceName"])
    flow_log_role = logical_id_of(synth, synth.stack.wechat_egress.flow_log_role)
    assert flow_log["Properties"]["DeliverLogsPermissionArn"] == {"Fn::GetAtt": [flow_log_role, "Arn"]}


def test_the_refresher_role_reads_and_writes_the_token_item_and_the_app_secret_only(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.wechat_egress.role)
    statements = policy_statements(role)
    actions = {a for s in statements for a in as_list(s["Action"])}
    table_id, _ = one_resource(synth, "AWS::DynamoDB::Table")
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert granted(statements, "dynamodb:UpdateItem") == [{"Fn::GetAtt": [table_id, "Arn"]}]
    assert granted(statements, "secretsmanager:GetSecretValue") == [{"Ref": logical_id_of(synth, synth.stack.secrets.app_secrets)}]
    assert not [a for a in actions if a.startswith(("s3:", "sns:"))]
    for statement in statements:
        if as_list(statement["Resource"]) == ["*"]:
            assert all(a.startswith(("xray:", "ec2:")) for a in as_list(statement["Action"])), statement


def test_the_flow_log_role_writes_only_its_log_group(synth: Synth) -> None:
    _, role = resource_of(synth, synth.stack.wechat_egress.flow_log_role)
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    (statement,) = policy_statements(role)
    log_group = {"Fn::GetAtt": [logical_id_of(synth, synth.stack.wechat_egress.flow_log_group), "Arn"]}
    assert statement["Resource"] == log_group
    assert set(as_list(statement["Action"])) == {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}
