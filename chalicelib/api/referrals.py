"""Offline referrals: appointments at the one-stop service points (disability assessment, property
valuation, social aid, litigation) and each point's queue for the police."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import NamesParty, json_response, operation
from chalicelib.domain.principals import POLICE, Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.referrals import AppointmentsQuery, BookReferral, PointAppointments, ReferralList

blueprint = Blueprint(__name__)
R = "chalicelib.contracts.referrals"
CASE_PEOPLE = frozenset({Role.PARTY, Role.WECHAT_USER}) | POLICE


@operation(blueprint, "/cases/{caseId}/referrals", "POST",
           summary="Book a party an appointment at a service point on a working day within its daily capacity "
                   "(201; 200 with the appointment already booked there that day; 409 with nextFreeDate when the day is full)",
           roles=CASE_PEOPLE, body=f"{R}:BookReferral", reply=f"{R}:ReferralView", status=201, names_party=NamesParty("partyId"))
def post_referral(principal: Principal, case_id: str, body: BookReferral) -> Any:
    from chalicelib.services import referrals

    view, booked = referrals.book(principal, case_id, body)
    return json_response(view.wire(), 201 if booked else 200)


@operation(blueprint, "/cases/{caseId}/referrals", "GET", summary="The case's appointments at service points",
           roles=CASE_PEOPLE, reply=f"{R}:ReferralList")
def get_referrals(principal: Principal, case_id: str) -> ReferralList:
    from chalicelib.services import referrals

    return referrals.for_case(principal, case_id)


@operation(blueprint, "/service-points/{code}/appointments", "GET",
           summary="A service point's appointments on a day, first booked first, with its capacity and what is booked",
           roles=POLICE, reply=f"{R}:PointAppointments", query=f"{R}:AppointmentsQuery")
def get_point_appointments(principal: Principal, code: str, query: AppointmentsQuery) -> PointAppointments:
    from chalicelib.services import referrals

    return referrals.queue(code, query)
