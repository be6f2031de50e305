"""The road rescue fund's reviewers: their queue and their answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.fund import ApproveFund, EscalationQuery, FundApplicationList, FundApplicationView, FundQuery, RejectFund

blueprint = Blueprint(__name__)
F = "chalicelib.contracts.fund"
FUND = frozenset({Role.FUND})


@operation(blueprint, "/fund/applications", "GET",
           summary="The fund's applications of the reviewer's unit in a status (or escalated), oldest first",
           roles=FUND, reply=f"{F}:FundApplicationList", query=f"{F}:FundQuery")
def get_fund_applications(principal: Principal, query: FundQuery) -> FundApplicationList:
    from chalicelib.services.medical_payers import fund

    return fund.queue(principal, query)


@operation(blueprint, "/fund/escalations", "GET",
           summary="The unit's fund applications whose review is overdue and escalated, oldest first: for the unit's "
                   "supervisors (and its fund reviewers) until the fund answers",
           roles=frozenset({Role.SUPERVISOR}) | FUND, reply=f"{F}:FundApplicationList", query=f"{F}:EscalationQuery")
def get_fund_escalations(principal: Principal, query: EscalationQuery) -> FundApplicationList:
    from chalicelib.services.medical_payers import fund

    return fund.escalations(principal, query)


@operation(blueprint, "/fund/applications/{fundApplicationId}/approve", "POST",
           summary="Approve the advance (the amount applied for, or less); the amount to recover is recorded",
           roles=FUND, body=f"{F}:ApproveFund", reply=f"{F}:FundApplicationView")
def post_fund_approval(principal: Principal, fund_application_id: str, body: ApproveFund) -> FundApplicationView:
    from chalicelib.services.medical_payers import fund

    return fund.approve(principal, fund_application_id, body)


@operation(blueprint, "/fund/applications/{fundApplicationId}/reject", "POST",
           summary="Refuse the advance, with the reason", roles=FUND, body=f"{F}:RejectFund", reply=f"{F}:FundApplicationView")
def post_fund_rejection(principal: Principal, fund_application_id: str, body: RejectFund) -> FundApplicationView:
    from chalicelib.services.medical_payers import fund

    return fund.reject(principal, fund_application_id, body)
