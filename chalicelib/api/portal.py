"""The police portal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.portal import Queue, QueueQuery

blueprint = Blueprint(__name__)
PORTAL = "chalicelib.contracts.portal"


@operation(
    blueprint, "/portal/queue", "GET",
    summary="Cases awaiting determination in the officer's unit, oldest first",
    roles=frozenset({Role.OFFICER}), reply=f"{PORTAL}:Queue", query=f"{PORTAL}:QueueQuery",
)
def get_queue(principal: Principal, query: QueueQuery) -> Queue:
    from chalicelib.services import portal

    return portal.queue(principal, query.limit, query.next_token)
