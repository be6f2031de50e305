"""Case intake and the case as its caller may see it."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.contracts.cases import CaseCreated, CaseView, CreateCase
from chalicelib.contracts.portal import AuditLog
from chalicelib.domain.principals import ANY_AUTHENTICATED, POLICE, Principal, Role
from chalicelib.services import intake, views

blueprint = Blueprint(__name__)

CASE_READERS = frozenset({Role.PARTY}) | POLICE


@operation(
    blueprint, "/cases", "POST",
    summary="Report an accident (110 call-taker or officer); screens it for remote handling",
    roles=frozenset({Role.DISPATCHER, Role.OFFICER}), body=CreateCase, reply=CaseCreated, status=201, idempotent=True,
)
def create_case(principal: Principal, body: CreateCase, idempotency_key: str | None) -> CaseCreated:
    return intake.report(principal, body, idempotency_key)


@operation(
    blueprint, "/cases/{caseId}", "GET",
    summary="The case: status, parties (others masked for a party), evidence checklist, timeline",
    roles=ANY_AUTHENTICATED, reply=CaseView,
)
def get_case(principal: Principal, case_id: str) -> CaseView:
    return views.case_view(principal, case_id)


@operation(
    blueprint, "/cases/{caseId}/audit", "GET",
    summary="The case's hash-chained audit log, verified",
    roles=POLICE, reply=AuditLog,
)
def get_audit(principal: Principal, case_id: str) -> AuditLog:
    return views.audit_log(principal, case_id)
