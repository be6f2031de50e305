"""The case rooms' live feed in AWS (`infra/cdk/room_live.py`): the WebSocket API, its two route
functions, the push function on the table's stream (room messages only) and their roles."""

from __future__ import annotations

import importlib

from chalicelib.store.room import room_key
from tests.infra.cdk_template import Synth, granted, logical_id_of, one_resource, policy_statements, resource_of, resources_of


def _handler_exists(name: str) -> bool:
    module, attribute = name.rsplit(".", 1)
    return callable(getattr(importlib.import_module(module), attribute))


def test_the_websocket_api_routes_connect_and_disconnect_to_their_functions(synth: Synth) -> None:
    _, api = one_resource(synth, "AWS::ApiGatewayV2::Api")
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {r["Properties"]["RouteKey"] for r in resources_of(synth, "AWS::ApiGatewayV2::Route").values()}
    assert routes == {"$connect", "$disconnect"}
    live = synth.stack.room_live
    routed = [f for f in live.node.find_all() if f.node.id in ("RoomConnect", "RoomDisconnect")]
    handlers = {resource_of(synth, f)[1]["Properties"]["Handler"] for f in routed}
    assert handlers == {"functions.room.handler.connect", "functions.room.handler.disconnect"}
    assert all(_handler_exists(h) for h in handlers | {"functions.room.handler.push"})
    _, stage = one_resource(synth, "AWS::ApiGatewayV2::Stage")
    assert "AccessLogSettings" in stage["Properties"] and "queryString" not in stage["Properties"]["AccessLogSettings"]["Format"]


def test_the_push_function_reads_only_new_room_messages_from_the_table_stream(synth: Synth) -> None:
    _, table = resource_of(synth, synth.stack.storage.table)
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    push_id, push = resource_of(synth, synth.stack.room_live.push)
    # the push's one mapping (the table's stream also starts deliveries: tests/infra/test_delivery_stream.py)
    (mapping,) = [m for m in resources_of(synth, "AWS::Lambda::EventSourceMapping").values()
                  if m["Properties"]["FunctionName"] == {"Ref": push_id}]
    assert push["Properties"]["Handler"] == "functions.room.handler.push"
    assert "ROOM_SOCKET_ENDPOINT" in push["Properties"]["Environment"]["Variables"]
    pattern = mapping["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"]
    assert '"INSERT"' in pattern and room_key("") in pattern


def test_the_push_role_manages_connections_of_this_api_only_and_the_socket_role_cannot(synth: Synth) -> None:
    _, push_role = resource_of(synth, synth.stack.room_live.push_role)
    _, socket_role = resource_of(synth, synth.stack.room_live.socket_role)
    posting = granted(policy_statements(push_role), "execute-api:ManageConnections")
    assert len(posting) == 1 and logical_id_of(synth, synth.stack.room_live.api) in str(posting)
    assert granted(policy_statements(socket_role), "execute-api:ManageConnections") == []
    assert granted(policy_statements(socket_role), "dynamodb:Scan") == granted(policy_statements(push_role), "dynamodb:Scan") == []
