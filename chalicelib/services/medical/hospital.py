"""The designated hospital's side: scanning the QR code (verify offline, then redeem once) and
posting the bills of an admission.

A scan verifies the token's signature, expiry and hospital without touching the table, then
admits the patient in the case's transaction together with the token's redemption item, which
can only ever be written once: a replayed code gets QrAlreadyRedeemed whichever scan came first.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.medical import Admission, Admissions, AdmissionsQuery, MedicalView, PostBills, PresentedQr
from chalicelib.domain import ids
from chalicelib.domain.medical import Bill, MedicalApplication, MedicalStatus, check_bills, ensure_status
from chalicelib.domain.principals import Principal
from chalicelib.errors import Forbidden, NotFound, QrAlreadyRedeemed
from chalicelib.services import notices
from chalicelib.services.medical import grants
from chalicelib.services.medical.applications import answer_wait, application_in, direct_pay_hospital
from chalicelib.services.medical.ledger import view, windows
from chalicelib.services.medical.payers import hand_off_to_payers, insurers_paying_for
from chalicelib.store import cases as store
from chalicelib.store import medical as medical_store
from chalicelib.store import reference

ADMITTED = frozenset({MedicalStatus.ADMITTED, MedicalStatus.BILLED})


def _hospital_of(principal: Principal) -> str:
    if not principal.org:
        raise Forbidden("this account belongs to no hospital", field="Authorization")
    return principal.org


def admit_by_qr(principal: Principal, body: PresentedQr) -> Admission:
    hospital_code = _hospital_of(principal)
    grant = grants.verify(body.token, hospital_code, store.utcnow())
    if medical_store.redeemed(grant.token_id) is not None:
        raise QrAlreadyRedeemed("this QR code was already scanned", field="token")
    case_id = medical_store.case_of(grant.application_ref)
    if case_id is None:
        raise NotFound("the QR code names no direct-pay application", field="token")
    hospital = direct_pay_hospital(hospital_code)
    waiting: list[str | None] = []

    def decide(record: store.CaseRecord) -> store.Change:
        application = application_in(record, grant.application_ref)
        if application.status in ADMITTED or application.qr_token_id != grant.token_id:
            raise QrAlreadyRedeemed("this QR code was already scanned", field="token")
        ensure_status(application, MedicalStatus.APPROVED, field="token")
        moment = store.utcnow()
        at = store.iso(moment)
        waiting.append(application.waiting.token if application.waiting else None)
        application.admission_id, application.admitted_at = ids.new_admission_id(), moment
        application.status, application.status_since, application.waiting = MedicalStatus.ADMITTED, at, None
        puts: list[Any] = [
            medical_store.admission(application, hospital_code),
            medical_store.redemption(grant.token_id, application, hospital_code, at),
            notices.to_party(record.case.case_id, application.injured_party_id, "medical.admitted", at, hospital=hospital),
        ]
        detail = {"applicationId": application.application_id, "admissionId": application.admission_id,
                  "hospitalCode": hospital_code, "tokenId": grant.token_id}
        return store.Change(action="MEDICAL_ADMITTED", detail=detail, replaces=[(application, MedicalStatus.APPROVED)],
                            puts=puts, result=application)

    applied = store.mutate(principal, case_id, decide)
    application: MedicalApplication = applied.result
    answer_wait(waiting[-1], {"admissionId": application.admission_id})
    return _admission(applied.record, application)


def _admission(record: store.CaseRecord, application: MedicalApplication) -> Admission:
    """The admission as the treating hospital reads it (never logged: it names the patient)."""
    admitted_at = application.admitted_at
    assert admitted_at is not None
    covered = windows()
    patient = record.party(application.injured_party_id)
    codes = insurers_paying_for(record, application.injured_party_id)
    names = reference.names("INSURER", codes)
    return Admission(
        admission_id=str(application.admission_id), application_id=application.application_id,
        hospital_code=application.hospital_code, case_id=application.case_id,
        patient_name=patient.name if patient is not None else "", injury_description=application.injury_description,
        insurers=[names.get(code, code) for code in codes], admitted_at=store.iso(admitted_at),
        covered_until=store.iso(admitted_at + covered.fund), direct_pay_until=store.iso(admitted_at + covered.direct_pay),
    )


def _admission_at(principal: Principal, pointer: medical_store.AdmissionPointer) -> Admission:
    record = store.load_for(principal, pointer.case_id)
    return _admission(record, application_in(record, pointer.application_id))


def admission(principal: Principal, admission_id: str) -> Admission:
    """One of this hospital's admissions, read again (the page reopens it to add bills)."""
    hospital_code = _hospital_of(principal)
    pointer = medical_store.admitted(admission_id)
    if pointer is None or pointer.hospital_code != hospital_code:
        raise NotFound("no such admission at this hospital", field="admissionId")
    return _admission_at(principal, pointer)


def open_admissions(principal: Principal, query: AdmissionsQuery) -> Admissions:
    """This hospital's admissions still inside their billing (fund) window, newest first, a page
    at a time: one Query on the hospital's index key, then each admission's case by key."""
    hospital_code = _hospital_of(principal)
    since = store.utcnow() - windows().fund
    pointers, next_token = medical_store.admissions_since(hospital_code, since, query.limit, query.next_token)
    return Admissions(items=[_admission_at(principal, pointer) for pointer in pointers], next_token=next_token)


def post_bills(principal: Principal, admission_id: str, body: PostBills) -> MedicalView:
    """Store an admission's bills (inside the covered window), then hand every billed person of the
    case to the payers."""
    hospital_code = _hospital_of(principal)
    pointer = medical_store.admitted(admission_id)
    if pointer is None or pointer.hospital_code != hospital_code:
        raise NotFound("no such admission at this hospital", field="admissionId")
    covered = windows()
    waiting: list[str | None] = []

    def decide(record: store.CaseRecord) -> store.Change:
        application = application_in(record, pointer.application_id)
        ensure_status(application, *ADMITTED, field="admissionId")
        moment = store.utcnow()
        at = store.iso(moment)
        bills = [Bill(name=line.name, amount=line.amount, service_date=line.service_date or moment) for line in body.items]
        check_bills(bills, application.admitted_at or moment, moment, covered)
        was = application.status
        waiting.append(application.waiting.token if application.waiting else None)
        application.bills = [*application.bills, *bills]
        application.waiting = None
        if was is not MedicalStatus.BILLED:
            application.status, application.status_since = MedicalStatus.BILLED, at
        detail = {"applicationId": application.application_id, "admissionId": admission_id, "items": len(bills),
                  "amount": sum(b.amount for b in bills), "billed": application.billed_fen}
        return store.Change(action="MEDICAL_BILLED", detail=detail, replaces=[(application, was)], result=application)

    applied = store.mutate(principal, pointer.case_id, decide)
    application: MedicalApplication = applied.result
    answer_wait(waiting[-1], {"billed": application.billed_fen})
    hand_off_to_payers(pointer.case_id, applied.record.medical, covered)
    return view(application, with_token=False)
