"""The application for direct pay and the officer's decision on it.

The application, its pointer and the party's notice are one transaction; then its run
`medical-<caseId>-<partyId>` starts (a second application for the person returns the first and
starts the same name again, which Step Functions refuses to run twice). Approving records the
signed QR token and the 急诊直赔通知书 with the decision, then answers the run's waiting step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.contracts.medical import ApplyMedical, MedicalView, RejectMedical
from chalicelib.domain import ids
from chalicelib.domain.beijing_time import CHINA, local
from chalicelib.domain.masking import mask_name
from chalicelib.domain.medical import MedicalApplication, MedicalStatus, ensure_status, run_name
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, NotFound, Unavailable, ValidationFailed, WaitOver
from chalicelib.integrations import workflows
from chalicelib.observability import logger
from chalicelib.services import access, documents, letters, notices
from chalicelib.services.medical import grants
from chalicelib.services.medical.ledger import view, windows
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import medical as medical_store
from chalicelib.store import reference, staff

DIRECT_PAY_NOTICE = "DIRECT_PAY_NOTICE"


def state_machine() -> str:
    arn = get_settings().medical_state_machine_arn
    if not arn:
        raise Unavailable("direct pay is not configured on this deployment", field="MEDICAL_STATE_MACHINE_ARN")
    return arn


def qr_validity() -> timedelta:
    settings = get_settings()
    if settings.medical_qr_validity_seconds:
        return timedelta(seconds=settings.medical_qr_validity_seconds)
    # Never longer than the key rotation keeps a retired key published (ADR 0017).
    return min(windows().qr_validity, timedelta(hours=settings.medical_qr_valid_hours))


def execution_input(application: MedicalApplication) -> dict[str, Any]:
    settings = get_settings()
    billing = settings.medical_billing_seconds or int(windows().fund.total_seconds())
    return {
        "applicationId": application.application_id,
        "caseId": application.case_id,
        "config": {"approvalSeconds": settings.medical_approval_seconds,
                   "admissionSeconds": int(qr_validity().total_seconds()), "billingSeconds": billing},
    }


def direct_pay_hospital(code: str) -> str:
    """The hospital's name if it is one of the designated direct-pay hospitals."""
    try:
        hospital = reference.get("HOSPITAL", code)
    except reference.ReferenceItem.DoesNotExist:
        hospital = None
    if hospital is None or not reference.direct_pay(hospital):
        raise ValidationFailed("is not a designated direct-pay hospital (GET /hospitals)", field="hospitalCode")
    return str(hospital.name)


def application_in(record: store.CaseRecord, application_id: str) -> MedicalApplication:
    application = record.medical_application(application_id)
    if application is None:
        raise NotFound("no such direct-pay application", field="applicationId")
    return application


def apply(principal: Principal, case_id: str, body: ApplyMedical) -> tuple[MedicalView, bool]:
    machine = state_machine()
    hospital = direct_pay_hospital(body.hospital_code)

    def decide(record: store.CaseRecord) -> list[store.Change]:
        if record.party(body.injured_party_id) is None:
            raise ValidationFailed("is not a party of this case", field="injuredPartyId")
        access.ensure_acts_for(principal, record, body.injured_party_id, field="injuredPartyId")
        if record.case.determination is None:
            raise Conflict("direct pay opens after the liability determination", field="caseId", status=record.case.status)
        if any(a.injured_party_id == body.injured_party_id for a in record.medical):
            return []  # the person's first application stands
        at = store.iso(store.utcnow())
        application = MedicalApplication(
            application_id=ids.new_medical_id(), case_id=record.case.case_id, injured_party_id=body.injured_party_id,
            hospital_code=body.hospital_code, injury_description=body.injury_description, status=MedicalStatus.REQUESTED,
            status_since=at, requested_at=at, requested_by=principal.audit_name,
            execution_name=run_name(record.case.case_id, body.injured_party_id),
        )
        notice = notices.to_party(record.case.case_id, body.injured_party_id, "medical.requested", at, hospital=hospital)
        detail = {"applicationId": application.application_id, "partyId": body.injured_party_id,
                  "hospitalCode": body.hospital_code}
        return [store.Change(action="MEDICAL_REQUESTED", detail=detail, puts=[application, notice], result=True)]

    applied = store.mutate(principal, case_id, decide)
    application = next(a for a in applied.record.medical if a.injured_party_id == body.injured_party_id)
    # If this start fails the application stays REQUESTED and a retry starts the same name.
    workflows.start(machine, application.execution_name, execution_input(application))
    return view(application), bool(applied.result)


def _located(application_id: str) -> str:
    case_id = medical_store.case_of(application_id)
    if case_id is None:
        raise NotFound("no such direct-pay application", field="applicationId")
    return case_id


def answer_wait(token: str | None, output: dict[str, Any]) -> None:
    """Answer the run's waiting step; one that is not waiting yet answers itself when it looks."""
    if token is None:
        return
    try:
        workflows.succeed(token, output)
    except WaitOver:
        logger.info("medical wait already over", extra={"decision": output})


def _notice_pdf(record: store.CaseRecord, application: MedicalApplication, principal: Principal, token: str,
                grant: Any, hospital: str) -> Any:
    unit = letters.unit(record.case.jurisdiction)
    number = f"{unit.get('documentPrefix', '')}医直字〔{grant.issued_at.astimezone(CHINA).year}〕第{application.application_id}号"

    def render(document_id: str) -> bytes:
        party = record.party(application.injured_party_id)
        return grants.render_notice(
            document_number=number,
            case_number=record.case.case_id, issuing_unit=unit["name"], officer_badge=staff.badge(principal.subject),
            hospital_name=hospital, injured_masked=mask_name(party.name if party else ""),
            injury_description=application.injury_description, qr_token=token, valid_until=grant.expires_at,
            issued_at=grant.issued_at, verify_url=letters.verify_url(document_id),
        )

    return documents.draft(record.case.case_id, DIRECT_PAY_NOTICE, number, 1, None, render)


def approve(principal: Principal, application_id: str) -> MedicalView:
    """Sign the QR token, issue the notice and deliver both to the party, then let the run go on."""
    case_id = _located(application_id)
    record = store.load_for(principal, case_id)
    application = application_in(record, application_id)
    ensure_status(application, MedicalStatus.REQUESTED)
    hospital = direct_pay_hospital(application.hospital_code)
    token, grant = grants.sign(application_id, application.hospital_code, store.utcnow(), qr_validity())
    draft = _notice_pdf(record, application, principal, token, grant, hospital)
    waiting: list[str | None] = []

    def decide(current: store.CaseRecord) -> list[store.Change]:
        application = application_in(current, application_id)
        ensure_status(application, MedicalStatus.REQUESTED)
        at = store.iso(store.utcnow())
        waiting.append(application.waiting.token if application.waiting else None)
        expires = store.iso(grant.expires_at)
        application.status, application.status_since, application.approved_at = MedicalStatus.APPROVED, at, at
        application.decided_by, application.waiting = principal.audit_name, None
        application.qr_token, application.qr_token_id, application.qr_expires_at = token, grant.token_id, expires
        application.notice_document_id = draft.document_id
        valid_until = local(expires).strftime("%m月%d日%H:%M")
        notice = notices.to_party(case_id, application.injured_party_id, "medical.approved", at, with_link=True,
                                  hospital=hospital, valid_until=valid_until)
        detail = {"applicationId": application_id, "tokenId": grant.token_id, "keyId": grant.key_id,
                  "expiresAt": expires, "noticeDocumentId": draft.document_id}
        return [documents.issued(draft, at),
                store.Change(action="MEDICAL_APPROVED", detail=detail, replaces=[(application, MedicalStatus.REQUESTED)],
                             puts=[notice])]

    written = documents.commit(principal, draft, decide)
    answer_wait(waiting[-1], {"decision": MedicalStatus.APPROVED})
    return view(application_in(written, application_id))


def reject(principal: Principal, application_id: str, body: RejectMedical) -> MedicalView:
    case_id = _located(application_id)
    waiting: list[str | None] = []

    def decide(record: store.CaseRecord) -> store.Change:
        application = application_in(record, application_id)
        ensure_status(application, MedicalStatus.REQUESTED)
        at = store.iso(store.utcnow())
        waiting.append(application.waiting.token if application.waiting else None)
        application.status, application.status_since, application.rejection_reason = MedicalStatus.REJECTED, at, body.reason
        application.decided_by, application.waiting = principal.audit_name, None
        notice = notices.to_party(case_id, application.injured_party_id, "medical.rejected", at, reason=body.reason)
        return store.Change(action="MEDICAL_REJECTED", detail={"applicationId": application_id, "reason": body.reason},
                            replaces=[(application, MedicalStatus.REQUESTED)], puts=[notice])

    written = store.mutate(principal, case_id, decide).record
    answer_wait(waiting[-1], {"decision": MedicalStatus.REJECTED})
    return view(application_in(written, application_id))
