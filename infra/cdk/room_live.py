"""`RoomLive`: the case rooms' live feed in AWS (ADR 0020). An API Gateway WebSocket API whose
`$connect` admits a member of a case room (the bearer token offered as a subprotocol) and records
the connection, `$disconnect` forgets it, and a push function on the table's stream (room
messages only, by an event filter) sends each new message to every member's connections."""

from __future__ import annotations

import jsii
from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from chalicelib.store.room import room_key
from infra.cdk.common import Capability, acknowledge, log_group
from infra.cdk.compute import Compute, FunctionRole
from infra.cdk.secrets import Secrets
from infra.cdk.storage import Storage

HANDLERS = "functions.room.handler"
STAGE_NAME = "live"
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","connectionId":"$context.connectionId","routeKey":"$context.routeKey",'
    '"eventType":"$context.eventType","status":"$context.status","requestTime":"$context.requestTime"}'
)


class RoomLive(Capability):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage: Storage, secrets: Secrets, compute: Compute) -> None:
        super().__init__(scope, construct_id, stage=stage)
        self.log_group = log_group(self, "RoomLiveLogs")
        self.socket_role = self._socket_role(storage, secrets)
        environment = {**compute.base_environment, **secrets.environment}
        connect = compute.function(self, "RoomConnect", description="admit a member's connection to a case room",
                                   handler=f"{HANDLERS}.connect", role=self.socket_role, environment=environment,
                                   timeout=Duration.seconds(10), memory_size=512)
        disconnect = compute.function(self, "RoomDisconnect", description="forget a closed case room connection",
                                      handler=f"{HANDLERS}.disconnect", role=self.socket_role, environment=environment,
                                      timeout=Duration.seconds(10))
        self.api = apigw.WebSocketApi(
            self,
            "RoomSocketApi",
            api_name=self.physical_name("room-live"),
            description=self.describe("case room live feed"),
            connect_route_options=apigw.WebSocketRouteOptions(integration=integrations.WebSocketLambdaIntegration("Connect", connect)),
            disconnect_route_options=apigw.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Disconnect", disconnect)
            ),
        )
        self.stage_log_group = log_group(self, "RoomSocketAccessLogs")
        self.socket_stage = apigw.WebSocketStage(
            self,
            "RoomSocketStage",
            web_socket_api=self.api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            access_log_settings=_AccessLogs(apigw.LogGroupLogDestination(self.stage_log_group)),
            throttle=apigw.ThrottleSettings(rate_limit=200, burst_limit=100),
        )
        for route in self.api.node.find_all():
            if isinstance(route, apigw.CfnRoute):
                acknowledge(
                    route,
                    "AwsSolutions-APIG4",
                    "$connect authorises in its function: it verifies the bearer token offered as the "
                    "'yunchetong.bearer' subprotocol and admits only members of the case room (404 otherwise); "
                    "$disconnect has no authorizer in API Gateway by design.",
                )
        self.endpoint = f"https://{self.api.api_id}.execute-api.{self.api.stack.region}.{self.api.stack.url_suffix}/{STAGE_NAME}"
        self.push_role = self._push_role(storage)
        self.push = compute.function(
            self,
            "RoomPush",
            description="push new case room messages to the members' connections",
            handler=f"{HANDLERS}.push",
            role=self.push_role,
            environment={**environment, "ROOM_SOCKET_ENDPOINT": self.endpoint},
            timeout=Duration.seconds(30),
            memory_size=512,
        )
        self.push.add_event_source(
            sources.DynamoEventSource(
                storage.table,
                starting_position=lambda_.StartingPosition.LATEST,
                batch_size=100,
                max_batching_window=Duration.millis(0),  # live: push as soon as the message is stored
                retry_attempts=2,  # a push that keeps failing is dropped: members re-read by cursor
                bisect_batch_on_error=True,
                filters=[
                    lambda_.FilterCriteria.filter(
                        {"eventName": lambda_.FilterRule.is_equal("INSERT"),
                         "dynamodb": {"Keys": {"pk": {"S": lambda_.FilterRule.begins_with(room_key(""))}}}}
                    )
                ],
            )
        )

    def _socket_role(self, storage: Storage, secrets: Secrets) -> FunctionRole:
        """$connect: read the case (Query) and partners' names (BatchGetItem), record the connection
        (TransactWriteItems of Puts); $disconnect: read its pointer, delete both items."""
        role = FunctionRole(self, "RoomSocketRole", purpose="execution role of the case room connection functions",
                            policy_name="room-socket", log_group=self.log_group)
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                                  "dynamodb:DeleteItem")
        storage.grant_table_key(role)
        secrets.grant_app_secret_read(role)  # the token secret verifies the bearer token
        storage.grant_data_key(role, "DataKeySecrets", ["kms:Decrypt"], "secretsmanager")
        return role

    def _push_role(self, storage: Storage) -> FunctionRole:
        """Read the case and the room's connections (Query), forget gone ones (GetItem, DeleteItem),
        post to connections of this API only, read the table's stream."""
        role = FunctionRole(self, "RoomPushRole", purpose="execution role of the case room push function",
                            policy_name="room-push", log_group=self.log_group)
        storage.grant_table_items(role, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:DeleteItem")
        storage.grant_table_key(role)
        connections = Stack.of(self).format_arn(
            service="execute-api", resource=self.api.api_id, resource_name=f"{STAGE_NAME}/POST/@connections/*",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        role.allow(iam.PolicyStatement(sid="PostToConnections", actions=["execute-api:ManageConnections"], resources=[connections]))
        role.accept_wildcard(connections, "A connection id is chosen by API Gateway when a member connects; "
                                          "ManageConnections on this API's stage's @connections only.")
        role.allow(iam.PolicyStatement(
            sid="TableStream",
            actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"],
            resources=[storage.table.table_stream_arn or ""],
        ))
        return role


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """The stage's access log: connection events without query strings or headers (no tokens)."""

    def __init__(self, destination: apigw.IAccessLogDestination) -> None:
        self._destination = destination

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT)
