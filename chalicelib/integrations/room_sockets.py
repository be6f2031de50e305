"""Messages to WebSocket connections through API Gateway's management API (AWS only)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _client(endpoint: str) -> Any:
    import boto3

    return boto3.session.Session().client("apigatewaymanagementapi", endpoint_url=endpoint)


def send(endpoint: str, connection_id: str, data: bytes) -> bool:
    """Post to one connection; False when API Gateway says it is gone (closed without $disconnect)."""
    client = _client(endpoint)
    try:
        client.post_to_connection(ConnectionId=connection_id, Data=data)
    except client.exceptions.GoneException:
        return False
    return True
