"""The police portal."""

from __future__ import annotations

from chalice import Blueprint
from pydantic import Field

from chalicelib.api.routing import operation
from chalicelib.contracts.common import Contract
from chalicelib.contracts.portal import Queue
from chalicelib.domain.principals import Principal, Role
from chalicelib.services import portal

blueprint = Blueprint(__name__)


class QueueQuery(Contract):
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


@operation(
    blueprint, "/portal/queue", "GET",
    summary="Cases awaiting determination in the officer's unit, oldest first",
    roles=frozenset({Role.OFFICER}), reply=Queue, query=QueueQuery,
)
def get_queue(principal: Principal, query: QueueQuery) -> Queue:
    return portal.queue(principal, query.limit, query.next_token)
