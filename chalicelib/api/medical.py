"""Injury direct pay: the application (party or police), the officer's decision, the hospital's
scan and bills, and the case's direct-pay ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.api.routing import NamesParty, json_response, operation
from chalicelib.domain.principals import POLICE, Role

if TYPE_CHECKING:
    from chalicelib.contracts.medical import (
        Admission,
        Admissions,
        AdmissionsQuery,
        ApplyMedical,
        MedicalLedger,
        MedicalView,
        PartyFled,
        PostBills,
        PresentedQr,
        RejectMedical,
    )
    from chalicelib.domain.principals import Principal

blueprint = Blueprint(__name__)
M = "chalicelib.contracts.medical"
APPLICANTS = frozenset({Role.PARTY, Role.WECHAT_USER}) | POLICE
DECIDERS = frozenset({Role.OFFICER, Role.SUPERVISOR})
HOSPITAL = frozenset({Role.HOSPITAL})
LEDGER_READERS = APPLICANTS | HOSPITAL | {Role.INSURER}
PATIENT_SIDE = frozenset({Role.PARTY, Role.WECHAT_USER})


@operation(blueprint, "/cases/{caseId}/medical", "POST",
           summary="Apply for injury direct pay at a designated hospital after the determination (201; 200 with the "
                   "person's first application when one exists); its workflow waits for an officer's decision",
           roles=APPLICANTS, body=f"{M}:ApplyMedical", reply=f"{M}:MedicalView", status=201,
           names_party=NamesParty("injuredPartyId"))
def post_medical(principal: Principal, case_id: str, body: ApplyMedical) -> Any:
    from chalicelib.services.medical import applications

    application, created = applications.apply(principal, case_id, body)
    return json_response(application.wire(), 201 if created else 200)


@operation(blueprint, "/cases/{caseId}/medical", "GET",
           summary="The case's direct-pay ledger per application: billed, guaranteed, paid, fund advanced, outstanding, "
                   "to recover (a hospital sees its own admissions, a party its own applications)",
           roles=LEDGER_READERS, reply=f"{M}:MedicalLedger")
def get_medical(principal: Principal, case_id: str) -> MedicalLedger:
    from chalicelib.services.medical import ledger

    return ledger.ledger(principal, case_id)


@operation(blueprint, "/cases/{caseId}/medical/{applicationId}/qr", "GET",
           summary="The injured party's own direct-pay QR code as SVG, for her page (a hospital scans the screen): "
                   "only while approved or admitted and not expired; never cached (the code admits her)",
           roles=PATIENT_SIDE)
def get_medical_qr(principal: Principal, case_id: str, application_id: str) -> Response:
    from chalicelib.services.medical import party_code

    drawn = party_code.svg(principal, case_id, application_id)
    return Response(body=drawn.decode("utf-8"), status_code=200,
                    headers={"Content-Type": "image/svg+xml", "Cache-Control": "no-store"})


@operation(blueprint, "/medical/{applicationId}/approve", "POST",
           summary="Approve a direct-pay application: the signed QR token and the 急诊直赔通知书 are issued and sent to the party",
           roles=DECIDERS, reply=f"{M}:MedicalView")
def post_medical_approve(principal: Principal, application_id: str) -> MedicalView:
    from chalicelib.services.medical import applications

    return applications.approve(principal, application_id)


@operation(blueprint, "/medical/{applicationId}/reject", "POST",
           summary="Reject a direct-pay application with the reason the party is told",
           roles=DECIDERS, body=f"{M}:RejectMedical", reply=f"{M}:MedicalView")
def post_medical_reject(principal: Principal, application_id: str, body: RejectMedical) -> MedicalView:
    from chalicelib.services.medical import applications

    return applications.reject(principal, application_id, body)


@operation(blueprint, "/hospital/scan", "POST",
           summary="Read a direct-pay QR code: verified (signature, expiry, this hospital), then redeemed once; the patient is admitted",
           roles=HOSPITAL, body=f"{M}:PresentedQr", reply=f"{M}:Admission")
def post_hospital_qr(principal: Principal, body: PresentedQr) -> Admission:
    from chalicelib.services.medical import hospital

    return hospital.admit_by_qr(principal, body)


@operation(blueprint, "/hospital/admissions", "GET",
           summary="This hospital's admissions still open for bills (inside the covered window), newest first, paged; "
                   "each names the patient in full, the case, the injury, the insurers that pay and the deadlines",
           roles=HOSPITAL, reply=f"{M}:Admissions", query=f"{M}:AdmissionsQuery")
def get_hospital_admissions(principal: Principal, query: AdmissionsQuery) -> Admissions:
    from chalicelib.services.medical import hospital

    return hospital.open_admissions(principal, query)


@operation(blueprint, "/hospital/admissions/{admissionId}", "GET",
           summary="One of this hospital's admissions, read again to add bills (404 for another hospital's)",
           roles=HOSPITAL, reply=f"{M}:Admission")
def get_hospital_admission(principal: Principal, admission_id: str) -> Admission:
    from chalicelib.services.medical import hospital

    return hospital.admission(principal, admission_id)


@operation(blueprint, "/hospital/admissions/{admissionId}/bills", "POST",
           summary="Post an admission's bills in integer fen, service times inside the covered window; the payers are told",
           roles=HOSPITAL, body=f"{M}:PostBills", reply=f"{M}:MedicalView")
def post_hospital_bills(principal: Principal, admission_id: str, body: PostBills) -> MedicalView:
    from chalicelib.services.medical import hospital

    return hospital.post_bills(principal, admission_id, body)


@operation(blueprint, "/cases/{caseId}/parties/{partyId}/fled", "POST",
           summary="Record that this vehicle's driver fled (hit-and-run): its 交强险 is not asked and the rescue fund "
                   "advances for its victims; bills already posted are handed to the payers again",
           roles=DECIDERS, reply=f"{M}:PartyFled", names_party=NamesParty("partyId"))
def post_party_fled(principal: Principal, case_id: str, party_id: str) -> PartyFled:
    from chalicelib.services.medical import hit_and_run

    return hit_and_run.record_fled(principal, case_id, party_id)
