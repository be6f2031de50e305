"""The case room's WebSocket API (AWS): `$connect` admits a member's connection, `$disconnect`
forgets it, and `push` (the table's stream, room messages only) sends each new message to every
member's connections. See ADR 0020."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import function_handler, logger


@function_handler
def connect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    from chalicelib.errors import DomainError
    from chalicelib.services.room import sockets

    request = event.get("requestContext", {})
    try:
        subprotocol = sockets.connect(event.get("headers") or {}, event.get("queryStringParameters") or {},
                                      request["connectionId"], datetime.now(UTC))
    except DomainError as error:
        logger.info("room connection refused", extra={"code": error.code, "status": error.status})
        return {"statusCode": error.status}
    return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": subprotocol}}


@function_handler
def disconnect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.services.room import sockets

    sockets.disconnect(event["requestContext"]["connectionId"])
    return {"statusCode": 200}


@function_handler
def push(event: dict[str, Any], context: Any) -> dict[str, int]:
    from chalicelib.integrations import room_sockets
    from chalicelib.services.room import sockets
    from chalicelib.settings import get_settings
    from chalicelib.store import room

    endpoint = get_settings().room_socket_endpoint
    if not endpoint:
        raise RuntimeError("ROOM_SOCKET_ENDPOINT is not set")
    images = [r["dynamodb"]["NewImage"] for r in event.get("Records", []) if r.get("eventName") == "INSERT"]
    messages = [room.message_from_image(image) for image in images if room.is_message_key(image["pk"]["S"])]
    counts = sockets.push(messages, lambda connection_id, data: room_sockets.send(endpoint, connection_id, data))
    logger.info("room messages pushed", extra=counts)
    return counts


@function_handler
def recorded(event: dict[str, Any], context: Any) -> dict[str, int]:
    """A recording file written to the evidence bucket (EventBridge "Object Created" under the
    video prefix): its SHA-256 and size, read streamed by this function, recorded on its session."""
    import sys

    from chalicelib.integrations import evidence_store, video
    from chalicelib.services.room import video as sessions

    key = event["detail"]["object"]["key"]
    if video.recording_of(key) is None:
        return {"recorded": 0}
    stored = evidence_store.inspect(key, max_bytes=sys.maxsize)
    if stored is None:  # deleted before it was read: nothing to record
        return {"recorded": 0}
    # Chime writes no duration with the file: the session's captured span stands for it.
    done = sessions.record_recording(key, stored.sha256, stored.size, duration_seconds=None)
    logger.info("video recording recorded", extra={"sizeBytes": stored.size, "recorded": done})
    return {"recorded": int(done)}
