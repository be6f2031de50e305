"""Claims, the insurer's side (webhooks in, its view, its delivery log) and the claims portal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import NamesParty, operation
from chalicelib.domain.principals import POLICE, Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.claims import (
        ClaimList,
        DeliveryLog,
        DeliveryQuery,
        InsurerCaseView,
        OverdueClaims,
        OverdueQuery,
        ReportClaims,
        RotatedSecret,
        WebhookAck,
    )

blueprint = Blueprint(__name__)
C = "chalicelib.contracts.claims"
INSURER = frozenset({Role.INSURER})


@operation(blueprint, "/cases/{caseId}/claims", "POST",
           summary="One tap: report the claim to each vehicle's insurer (idempotent; also automatic on determination)",
           roles=frozenset({Role.PARTY}) | POLICE, body=f"{C}:ReportClaims", reply=f"{C}:ClaimList",
           names_party=NamesParty("declaredLosses"))
def post_claims(principal: Principal, case_id: str, body: ReportClaims) -> ClaimList:
    from chalicelib.services import claims

    return claims.report(principal, case_id, body)


@operation(blueprint, "/webhooks/insurers/{insurerCode}", "POST",
           summary="An insurer's signed event about its claim (Standard Webhooks; replays are ignored)",
           roles=None, reply=f"{C}:WebhookAck", raw_request=True)
def post_insurer_webhook(insurer_code: str, request: Any) -> WebhookAck:
    from chalicelib.services import insurer_webhooks

    return insurer_webhooks.receive(insurer_code, request.headers, request.raw_body or b"")


@operation(blueprint, "/insurer/cases/{caseId}", "GET",
           summary="A case as its insurer sees it: its own customer and claim only", roles=INSURER, reply=f"{C}:InsurerCaseView")
def get_insurer_case(principal: Principal, case_id: str) -> InsurerCaseView:
    from chalicelib.services import insurers

    return insurers.case_for_insurer(principal, case_id)


@operation(blueprint, "/insurer/deliveries", "GET", summary="Every webhook delivery attempt, newest first",
           roles=INSURER | {Role.SUPERVISOR}, reply=f"{C}:DeliveryLog", query=f"{C}:DeliveryQuery")
def get_deliveries(principal: Principal, query: DeliveryQuery) -> DeliveryLog:
    from chalicelib.services import insurers

    return insurers.deliveries(principal, query)


@operation(blueprint, "/portal/claims", "GET", summary="Claims whose insurer missed a statutory deadline (overdue=true)",
           roles=frozenset({Role.OFFICER, Role.SUPERVISOR}), reply=f"{C}:OverdueClaims", query=f"{C}:OverdueQuery")
def get_portal_claims(principal: Principal, query: OverdueQuery) -> OverdueClaims:
    from chalicelib.errors import ValidationFailed
    from chalicelib.services import insurers

    if not query.overdue:
        raise ValidationFailed("only overdue=true is offered here; open claims are on each case", field="overdue")
    return insurers.overdue(principal, query.limit)


@operation(blueprint, "/admin/insurers/{insurerCode}/secret", "POST",
           summary="Rotate an insurer's webhook secret; the new one is shown once, the old one accepted for a grace period",
           roles=frozenset({Role.SUPERVISOR}), reply=f"{C}:RotatedSecret")
def post_secret_rotation(principal: Principal, insurer_code: str) -> RotatedSecret:
    from chalicelib.services import insurers

    return insurers.rotate_secret(insurer_code)
