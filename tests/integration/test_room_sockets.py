"""The room's WebSocket functions (AWS): $connect admits members by the bearer token offered as a
subprotocol, push sends each new message (from the table's stream) to every member's connections
and removes a connection API Gateway reports gone. The management API is stubbed (botocore Stubber)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.stub import ANY, Stubber

from functions.room import handler
from tests.factories import staff_token

ENDPOINT = "https://abc123.execute-api.ap-east-1.amazonaws.com/test"
CONTEXT = SimpleNamespace(function_name="room", memory_limit_in_mb=256, invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:room",
                          aws_request_id="r-1", get_remaining_time_in_millis=lambda: 30_000)


@pytest.fixture
def endpoint(monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("ROOM_SOCKET_ENDPOINT", ENDPOINT)
    reset_settings()
    yield ENDPOINT
    reset_settings()


def _connect(case_id: str | None, token: str | None, connection_id: str, protocol: str = "yunchetong.bearer") -> dict:
    headers = {"Sec-WebSocket-Protocol": f"{protocol}, {token}"} if token else {}
    event = {"requestContext": {"connectionId": connection_id, "routeKey": "$connect"}, "headers": headers,
             "queryStringParameters": {"caseId": case_id} if case_id else None}
    return handler.connect(event, CONTEXT)


def _stream_event(case_id: str) -> dict:
    """The table stream's INSERT records of the case room's items, as Lambda receives them."""
    from chalicelib.integrations.aws import client
    from chalicelib.settings import get_settings
    from chalicelib.store.room import room_key

    items = client("dynamodb").query(TableName=get_settings().table_name, KeyConditionExpression="pk = :pk",
                                     ExpressionAttributeValues={":pk": {"S": room_key(case_id)}})["Items"]
    return {"Records": [{"eventName": "INSERT", "dynamodb": {"Keys": {"pk": i["pk"], "sk": i["sk"]}, "NewImage": i}} for i in items]}


def test_given_members_tokens_as_subprotocol_then_connected_and_others_refused(api):
    case = api.create_case().body
    accepted = _connect(case["caseId"], case["parties"][0]["token"], "c-A")
    assert accepted == {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "yunchetong.bearer"}}
    assert _connect(case["caseId"], staff_token("officer", jurisdiction="320100"), "c-X")["statusCode"] == 404
    assert _connect(case["caseId"], None, "c-Y")["statusCode"] == 401
    assert _connect(case["caseId"], "not-a-token", "c-Z")["statusCode"] == 401
    assert _connect(None, case["parties"][0]["token"], "c-W")["statusCode"] == 400


def test_given_two_connected_members_when_a_message_is_stored_then_pushed_to_both_and_a_gone_one_removed(api, endpoint):
    import json

    from chalicelib.integrations import room_sockets
    from chalicelib.store import room_connections

    case = api.create_case().body
    case_id = case["caseId"]
    assert _connect(case_id, case["parties"][0]["token"], "c-A")["statusCode"] == 200
    assert _connect(case_id, case["parties"][1]["token"], "c-B")["statusCode"] == 200
    assert _connect(case_id, staff_token("officer"), "c-C")["statusCode"] == 200
    posted = api.call("POST", f"/cases/{case_id}/room/messages", case["parties"][0]["token"], {"text": "电话13812345670"})
    assert posted.status == 201

    management = room_sockets._client(endpoint)
    sent: dict[str, dict] = {}
    with Stubber(management) as stub:
        stub.add_response("post_to_connection", {}, {"ConnectionId": "c-A", "Data": ANY})
        stub.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410,
                              expected_params={"ConnectionId": "c-B", "Data": ANY})
        stub.add_response("post_to_connection", {}, {"ConnectionId": "c-C", "Data": ANY})
        original = management.post_to_connection

        def recording(**params):
            sent[params["ConnectionId"]] = json.loads(params["Data"])
            return original(**params)

        management.post_to_connection = recording
        try:
            counts = handler.push(_stream_event(case_id), CONTEXT)
        finally:
            del management.post_to_connection
        stub.assert_no_pending_responses()

    assert counts == {"sent": 2, "gone": 1}
    assert sent["c-A"]["message"]["text"] == "电话13812345670" and sent["c-A"]["message"]["sender"]["me"] is True
    assert sent["c-B"]["message"]["text"] == "电话138****5670"  # the other party reads it masked
    assert sent["c-C"]["message"]["sender"]["label"] == "甲方"
    assert [c.connection_id for c in room_connections.of_room(case_id)] == ["c-A", "c-C"]
    handler.disconnect({"requestContext": {"connectionId": "c-A"}}, CONTEXT)
    assert [c.connection_id for c in room_connections.of_room(case_id)] == ["c-C"]
