"""`GET /cases/{caseId}/room/events` on the local stack: the case room's live feed as server-sent
events (ADR 0020). Chalice's local server answers a request with one buffered body, so this one
route is served here, beside it: the member is admitted once, then the room is read by cursor
Query, as AWS's push function reads it, and each new message is written as an event.

A browser's EventSource cannot set headers: the bearer token comes in `Authorization` or as
`?token=`; `Last-Event-ID` (or `?after=`) resumes after a cursor. Query strings are never logged.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

EVENTS_PATH = re.compile(r"^/cases/([^/]+)/room/events$")
POLL_SECONDS = 0.2  # how often an open feed queries the room
HEARTBEAT_SECONDS = 15  # a comment line keeps proxies from closing an idle stream


def handler_class(base: type, closing: threading.Event) -> type:
    """`base` (Chalice's request handler) with the room's event stream in front of it."""

    def do_GET(self: Any) -> None:  # the name http.server calls
        url = urlsplit(self.path)
        match = EVENTS_PATH.match(url.path)
        if match is None:
            base.do_GET(self)
            return
        _stream(self, unquote(match.group(1)), parse_qs(url.query), closing)

    return type("RoomEventsHandler", (base,), {"do_GET": do_GET})


def _event(name: str, data: Any, event_id: str | None = None) -> bytes:
    lines = ([f"id: {event_id}"] if event_id else []) + [f"event: {name}", f"data: {json.dumps(data, ensure_ascii=False)}"]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _opened(handler: Any, case_id: str, query: dict[str, list[str]]) -> Any:
    """The member's feed, or None once an error reply (401, 404, 400) has been sent."""
    from chalicelib.api.routing import authenticate, json_response
    from chalicelib.errors import DomainError
    from chalicelib.services.room import live

    token = (query.get("token") or [""])[0]
    headers = {"authorization": handler.headers.get("Authorization") or (f"Bearer {token}" if token else "")}
    after = handler.headers.get("Last-Event-ID") or (query.get("after") or [None])[0]
    try:
        return live.open_feed(authenticate(headers), case_id, after)
    except DomainError as error:
        reply = json_response(error.to_body(), error.status)
        body = reply.body.encode("utf-8")
        handler.send_response(error.status)
        handler.send_header("Content-Type", reply.headers["Content-Type"])
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return None


def _stream(handler: Any, case_id: str, query: dict[str, list[str]], closing: threading.Event) -> None:
    from chalicelib.services.room import live

    feed = _opened(handler, case_id, query)
    if feed is None:
        return
    handler.close_connection = True
    handler.send_response(200)
    for name, value in (("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache"), ("Connection", "close")):
        handler.send_header(name, value)
    handler.end_headers()
    quiet = 0.0
    try:
        handler.wfile.write(b"retry: 2000\n\n" + _event("ready", {"cursor": feed.cursor}))
        handler.wfile.flush()
        while not closing.is_set():
            views = live.next_views(feed)
            for message in views:
                handler.wfile.write(_event("message", message.wire(), message.cursor))
            if views:
                handler.wfile.flush()
                quiet = 0.0
                continue
            closing.wait(POLL_SECONDS)
            quiet += POLL_SECONDS
            if quiet >= HEARTBEAT_SECONDS:
                handler.wfile.write(b": keep-alive\n\n")
                handler.wfile.flush()
                quiet = 0.0
    except (BrokenPipeError, ConnectionResetError):
        return  # the member closed the page
