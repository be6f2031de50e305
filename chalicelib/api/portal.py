"""The police portal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.portal import Queue, QueueQuery
    from chalicelib.contracts.staff import StaffIdentity

blueprint = Blueprint(__name__)
PORTAL = "chalicelib.contracts.portal"
# Everyone who signs in on the portal's page: not parties, WeChat users or workflows.
STAFF_AND_PARTNERS = frozenset(Role) - {Role.PARTY, Role.WECHAT_USER, Role.SYSTEM}


@operation(
    blueprint, "/portal/queue", "GET",
    summary="Cases awaiting determination in the officer's unit, oldest first",
    roles=frozenset({Role.OFFICER}), reply=f"{PORTAL}:Queue", query=f"{PORTAL}:QueueQuery",
)
def get_queue(principal: Principal, query: QueueQuery) -> Queue:
    from chalicelib.services import portal

    return portal.queue(principal, query.limit, query.next_token)


@operation(
    blueprint, "/portal/me", "GET",
    summary="Who this staff or partner token is (the sign-in page stores it with the token)",
    roles=STAFF_AND_PARTNERS, reply="chalicelib.contracts.staff:StaffIdentity",
)
def get_me(principal: Principal) -> StaffIdentity:
    from chalicelib.services import staff_sessions

    return staff_sessions.identity(principal)
