"""Review (复核) of a letter and police mediation after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.disputes import (
        AskMediation,
        DecideReview,
        MediationView,
        ProposeSettlement,
        RecordSession,
        RequestReview,
        ReviewDecided,
        ReviewView,
        ScheduleMediation,
        Terminate,
    )

blueprint = Blueprint(__name__)
C = "chalicelib.contracts.disputes"
PARTY = frozenset({Role.PARTY})
OFFICER = frozenset({Role.OFFICER})
# The session's conduct: an officer, or the mediator scheduled for it (services.mediation.may_conduct).
CONDUCTS = frozenset({Role.OFFICER, Role.MEDIATOR})


@operation(blueprint, "/cases/{caseId}/review", "POST",
           summary="A party asks for review of the letter, within 3 working days of its service (Art.71)",
           roles=PARTY, body=f"{C}:RequestReview", reply=f"{C}:ReviewView", status=201)
def post_review(principal: Principal, case_id: str, body: RequestReview) -> ReviewView:
    from chalicelib.services import review

    return review.request(principal, case_id, body)


@operation(blueprint, "/reviews/{reviewId}/decide", "POST",
           summary="A supervisor of the jurisdiction upholds the letter or orders a new determination (Art.74-78)",
           roles=frozenset({Role.SUPERVISOR}), body=f"{C}:DecideReview", reply=f"{C}:ReviewDecided")
def post_review_decision(principal: Principal, review_id: str, body: DecideReview) -> ReviewDecided:
    from chalicelib.services import review

    return review.decide(principal, review_id, body)


@operation(blueprint, "/cases/{caseId}/mediation", "POST",
           summary="A party asks for mediation; it is requested once every party has, within 10 working days (Art.86)",
           roles=PARTY, body=f"{C}:AskMediation", reply=f"{C}:MediationView")
def post_mediation(principal: Principal, case_id: str, body: AskMediation) -> MediationView:
    from chalicelib.services import mediation

    return mediation.ask(principal, case_id, body)


@operation(blueprint, "/mediation/{mediationId}", "GET",
           summary="The mediation as the scheduled mediator, the case's police or a party sees it (participants to record)",
           roles=CONDUCTS | PARTY, reply=f"{C}:MediationView")
def get_mediation(principal: Principal, mediation_id: str) -> MediationView:
    from chalicelib.services import mediation

    return mediation.read(principal, mediation_id)


@operation(blueprint, "/mediation/{mediationId}/schedule", "POST",
           summary="An officer schedules the mediation: 3 working days' notice unless waived, 3 people a side (Art.87-88)",
           roles=OFFICER, body=f"{C}:ScheduleMediation", reply=f"{C}:MediationView")
def post_mediation_schedule(principal: Principal, mediation_id: str, body: ScheduleMediation) -> MediationView:
    from chalicelib.services import mediation

    return mediation.schedule(principal, mediation_id, body)


@operation(blueprint, "/mediation/{mediationId}/session", "POST",
           summary="An officer or the scheduled mediator records attendance, minutes and the video session; the first record starts it",
           roles=CONDUCTS, body=f"{C}:RecordSession", reply=f"{C}:MediationView")
def post_mediation_session(principal: Principal, mediation_id: str, body: RecordSession) -> MediationView:
    from chalicelib.services import mediation

    return mediation.record_session(principal, mediation_id, body)


@operation(blueprint, "/mediation/{mediationId}/agreement", "POST",
           summary="An officer or the scheduled mediator writes down the terms agreed (调解书) for every party to sign",
           roles=CONDUCTS, body=f"{C}:ProposeSettlement", reply=f"{C}:MediationView")
def post_mediation_agreement(principal: Principal, mediation_id: str, body: ProposeSettlement) -> MediationView:
    from chalicelib.services import mediation

    return mediation.propose(principal, mediation_id, body)


@operation(blueprint, "/mediation/{mediationId}/sign", "POST",
           summary="A party signs the mediation agreement with its own token; the last signature issues it",
           roles=PARTY, reply=f"{C}:MediationView")
def post_mediation_signature(principal: Principal, mediation_id: str) -> MediationView:
    from chalicelib.services import mediation

    return mediation.sign(principal, mediation_id)


@operation(blueprint, "/mediation/{mediationId}/terminate", "POST",
           summary="An officer or the scheduled mediator ends the mediation without agreement (调解终结书) and says why",
           roles=CONDUCTS, body=f"{C}:Terminate", reply=f"{C}:MediationView")
def post_mediation_termination(principal: Principal, mediation_id: str, body: Terminate) -> MediationView:
    from chalicelib.services import mediation

    return mediation.terminate(principal, mediation_id, body)
