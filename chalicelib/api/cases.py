"""Case intake and the case as its caller may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import NamesParty, operation
from chalicelib.domain.principals import POLICE, Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.cases import CaseCreated, CaseView, CreateCase, Timeline, TimelineQuery
    from chalicelib.contracts.portal import AuditLog, LinkReissued

blueprint = Blueprint(__name__)
CASES = "chalicelib.contracts.cases"


@operation(
    blueprint, "/cases", "POST",
    summary="Report an accident (110 call-taker, officer, or a WeChat user for themselves); screens it for remote handling",
    roles=frozenset({Role.DISPATCHER, Role.OFFICER, Role.WECHAT_USER}), body=f"{CASES}:CreateCase", reply=f"{CASES}:CaseCreated",
    status=201, idempotent=True,
)
def create_case(principal: Principal, body: CreateCase, idempotency_key: str | None) -> CaseCreated:
    from chalicelib.services import intake

    return intake.report(principal, body, idempotency_key)


@operation(
    blueprint, "/cases/{caseId}", "GET",
    summary="The case: status, parties (others masked for a party), evidence checklist, timeline",
    roles=frozenset({Role.PARTY, Role.WECHAT_USER}) | POLICE, reply=f"{CASES}:CaseView",
)
def get_case(principal: Principal, case_id: str) -> CaseView:
    from chalicelib.services import views

    return views.case_view(principal, case_id)


@operation(
    blueprint, "/cases/{caseId}/timeline", "GET",
    summary="The case's whole history in words, oldest first, a page at a time",
    roles=frozenset({Role.PARTY, Role.WECHAT_USER}) | POLICE, reply=f"{CASES}:Timeline", query=f"{CASES}:TimelineQuery",
)
def get_timeline(principal: Principal, case_id: str, query: TimelineQuery) -> Timeline:
    from chalicelib.services import views

    return views.timeline(principal, case_id, query)


@operation(
    blueprint, "/cases/{caseId}/audit", "GET",
    summary="The case's hash-chained audit log, verified",
    roles=POLICE, reply="chalicelib.contracts.portal:AuditLog",
)
def get_audit(principal: Principal, case_id: str) -> AuditLog:
    from chalicelib.services import views

    return views.audit_log(principal, case_id)


@operation(
    blueprint, "/cases/{caseId}/parties/{partyId}/link", "POST",
    summary="Revoke a party's link (and every token issued with it) and text a new one",
    roles=frozenset({Role.DISPATCHER, Role.OFFICER}), reply="chalicelib.contracts.portal:LinkReissued",
    names_party=NamesParty("partyId"),
)
def post_party_link(principal: Principal, case_id: str, party_id: str) -> LinkReissued:
    from chalicelib.services import links

    return links.reissue(principal, case_id, party_id)
