"""`WeChatEgress`: the fixed address WeChat whitelists (ADR 0034). WeChat answers its access-token
endpoints (`/cgi-bin/stable_token`) only from addresses on the official account's IP whitelist, and
Lambda has no fixed address of its own: the one function that asks for the token, the refresher
(`functions/wechat_token`), runs in a VPC whose only way out is a NAT gateway with an Elastic IP
(`egress_address`, the stack output `WeChatEgressAddress`). It stores the token in the table, where
the deliverer reads it; nothing else needs the whitelist (customer-service messages and the OAuth
code exchange are not whitelisted), so every other function stays outside the VPC.

The VPC: one NAT gateway (one address to whitelist) in a public subnet, serving private subnets in
two zones; a gateway endpoint for DynamoDB (the table without the NAT); flow logs of all traffic to
a log group; a security group allowing only HTTPS out.
"""

from __future__ import annotations

from aws_cdk import Duration, Fn
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.cdk.common import Capability, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.parameters import Parameters
from infra.cdk.secrets import Secrets
from infra.cdk.storage import Storage

REFRESHER_HANDLER = "functions.wechat_token.handler.handler"
REFRESH_EVERY = Duration.minutes(2)  # within chalicelib.integrations.wechat_token.REFRESH_AHEAD_SECONDS, several times
# What Lambda does with the role of a function in a VPC: its network interfaces in the subnets.
NETWORK_INTERFACE_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


class WeChatEgress(Capability):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        storage: Storage,
        secrets: Secrets,
        parameters: Parameters,
        compute: Compute,
    ) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.address = ec2.CfnEIP(self, "WeChatEgressIp", domain="vpc")
        self.egress_address = self.address.ref  # the Elastic IP's public address
        self.flow_log_group = log_group(self, "WeChatVpcFlowLogs")
        self.vpc = self._network()
        self.security_group = ec2.SecurityGroup(
            self, "WeChatRefresherSecurityGroup", vpc=self.vpc, allow_all_outbound=False,
            description=self.describe("WeChat token refresher: HTTPS out only"),
        )
        self.security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to WeChat, Secrets Manager and DynamoDB")
        self.log_group = log_group(self, "WeChatTokenRefresherLogs")
        self.role = self._role(storage, secrets)
        self.function: lambda_.Function = compute.scheduled_function(
            self,
            "WeChatTokenRefresher",
            every=REFRESH_EVERY,
            schedule="refresh the shared WeChat access token",
            description="refresh the shared WeChat access token from the whitelisted address",
            handler=REFRESHER_HANDLER,
            role=self.role,
            timeout=Duration.seconds(30),
            environment={**compute.base_environment, **secrets.environment, **parameters.environment},
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnets=self.vpc.private_subnets),
            security_groups=[self.security_group],
        )

    def _network(self) -> ec2.IVpc:
        """The VPC from CloudFormation's own resources: `ec2.Vpc` reads `Stack.availability_zones`,
        which makes CDK acknowledge a validation rule on the whole stack (W3010); the zones here are
        `Fn::GetAZs` picks, so the template stays environment-agnostic without that."""
        zones = [Fn.select(i, Fn.get_azs()) for i in range(2)]
        vpc = ec2.CfnVPC(self, "WeChatVpc", cidr_block="10.64.0.0/24", enable_dns_hostnames=True, enable_dns_support=True)
        gateway = ec2.CfnInternetGateway(self, "WeChatInternetGateway")
        attachment = ec2.CfnVPCGatewayAttachment(self, "WeChatInternetAttachment", vpc_id=vpc.ref, internet_gateway_id=gateway.ref)
        public = ec2.CfnSubnet(self, "WeChatNatSubnet", vpc_id=vpc.ref, cidr_block="10.64.0.0/28", availability_zone=zones[0])
        public_routes = ec2.CfnRouteTable(self, "WeChatNatRoutes", vpc_id=vpc.ref)
        ec2.CfnSubnetRouteTableAssociation(self, "WeChatNatSubnetRoutes", subnet_id=public.ref, route_table_id=public_routes.ref)
        to_internet = ec2.CfnRoute(self, "WeChatNatToInternet", route_table_id=public_routes.ref,
                                   destination_cidr_block="0.0.0.0/0", gateway_id=gateway.ref)
        to_internet.add_dependency(attachment)
        nat = ec2.CfnNatGateway(self, "WeChatNatGateway", subnet_id=public.ref, allocation_id=self.address.attr_allocation_id)
        nat.add_dependency(to_internet)
        private_routes = ec2.CfnRouteTable(self, "WeChatFunctionRoutes", vpc_id=vpc.ref)
        ec2.CfnRoute(self, "WeChatFunctionsToNat", route_table_id=private_routes.ref, destination_cidr_block="0.0.0.0/0",
                     nat_gateway_id=nat.ref)
        private = []
        for index, zone in enumerate(zones):
            subnet = ec2.CfnSubnet(self, f"WeChatFunctionSubnet{index + 1}", vpc_id=vpc.ref, cidr_block=f"10.64.0.{64 * (index + 1)}/26",
                                   availability_zone=zone)
            ec2.CfnSubnetRouteTableAssociation(self, f"WeChatFunctionSubnet{index + 1}Routes", subnet_id=subnet.ref,
                                               route_table_id=private_routes.ref)
            private.append(subnet)
        ec2.CfnVPCEndpoint(self, "WeChatVpcDynamoDb", vpc_id=vpc.ref, vpc_endpoint_type="Gateway",
                           service_name=Fn.sub("com.amazonaws.${AWS::Region}.dynamodb"), route_table_ids=[private_routes.ref])
        # Inline, like every role here: writing its own log group only.
        self.flow_log_role = iam.Role(
            self, "WeChatVpcFlowLogRole", assumed_by=iam.ServicePrincipal("vpc-flow-logs.amazonaws.com"),
            description=self.describe("VPC flow logs of the WeChat egress into their log group"),
            inline_policies={"flow-logs": iam.PolicyDocument(statements=[iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[self.flow_log_group.log_group_arn],
            )])},
        )
        ec2.CfnFlowLog(self, "WeChatVpcFlowLog", resource_id=vpc.ref, resource_type="VPC", traffic_type="ALL",
                       log_group_name=self.flow_log_group.log_group_name, deliver_logs_permission_arn=self.flow_log_role.role_arn)
        self.private_subnet_ids = [subnet.ref for subnet in private]
        return ec2.Vpc.from_vpc_attributes(self, "WeChatVpcAttributes", vpc_id=vpc.ref, availability_zones=zones,
                                           private_subnet_ids=self.private_subnet_ids)

    def metric_errors(self, period: Duration) -> cloudwatch.Metric:
        return self.function.metric_errors(period=period, statistic="Sum")

    def _role(self, storage: Storage, secrets: Secrets) -> FunctionRole:
        """Read the stored token, lease and write it (GetItem, UpdateItem); the AppSecret; network interfaces."""
        role = FunctionRole(
            self,
            "WeChatTokenRefresherRole",
            purpose="execution role of the WeChat token refresher",
            policy_name="wechat-token-refresher",
            log_group=self.log_group,
            star_reason="Resource '*' only for X-Ray (no resource-level permissions) and for the network interfaces "
            "Lambda manages for a function in a VPC (ec2:CreateNetworkInterface and the rest have none that "
            "Lambda's service can be limited to; the actions of AWSLambdaVPCAccessExecutionRole, inline).",
        )
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:UpdateItem")
        storage.grant_table_key(role)
        secrets.grant_app_secret_read(role)  # wechatAppSecret
        storage.grant_data_key(role, "DataKeySecrets", ["kms:Decrypt"], "secretsmanager")
        role.allow(iam.PolicyStatement(sid="NetworkInterfaces", actions=NETWORK_INTERFACE_ACTIONS, resources=["*"]))
        return role
