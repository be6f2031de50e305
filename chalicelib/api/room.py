"""The case room: its members post and read messages (the live feed: SSE locally, WebSocket in AWS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import ANY_AUTHENTICATED, Principal

if TYPE_CHECKING:
    from chalicelib.contracts.room import MessagePage, MessagesQuery, MessageView, PostMessage

blueprint = Blueprint(__name__)
R = "chalicelib.contracts.room"
# Membership is derived from the case in the service; a caller who is not a member gets 404.
MEMBERS = ANY_AUTHENTICATED


@operation(blueprint, "/cases/{caseId}/room/messages", "POST",
           summary="Post to the case room: a text, a piece of the case's evidence or one of its documents "
                   "(append-only, in the audit chain; a retried Idempotency-Key is stored once)",
           roles=MEMBERS, body=f"{R}:PostMessage", reply=f"{R}:MessageView", status=201, idempotent=True)
def post_message(principal: Principal, case_id: str, body: PostMessage, idempotency_key: str | None) -> MessageView:
    from chalicelib.services.room import messages

    return messages.post(principal, case_id, body, idempotency_key)


@operation(blueprint, "/cases/{caseId}/room/messages", "GET",
           summary="The room's messages after a cursor, oldest first; other people's personal data masked",
           roles=MEMBERS, reply=f"{R}:MessagePage", query=f"{R}:MessagesQuery")
def get_messages(principal: Principal, case_id: str, query: MessagesQuery) -> MessagePage:
    from chalicelib.services.room import messages

    return messages.page(principal, case_id, query.after, query.limit)
