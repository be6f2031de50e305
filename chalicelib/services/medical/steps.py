"""The direct-pay workflow's steps (statemachines/medical.asl.json).

`await_milestone` keeps the task token the next API call answers (the officer's decision, the
hospital's scan, the first bills); if that call came first it answers its own token at once.
`close_wait` runs when a wait timed out: an application not approved, or a QR code not scanned,
in time lapses (the party is told); a billing window that closes just ends the run.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.medical import StepInput
from chalicelib.domain.medical import AWAITED_IN, BILLS, PASSED, MedicalStatus, Waiting
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.services import notices
from chalicelib.services.medical.applications import application_in
from chalicelib.store import cases as store

WORKFLOW = Principal(subject="medical-workflow", role=Role.SYSTEM)
LAPSE_REASONS = {"APPROVAL": "民警未在时限内审核", "ADMISSION": "二维码有效期内未到医院扫码就诊"}


def _milestone(step: StepInput) -> str:
    if step.milestone is None:
        raise ValidationFailed("the step needs its milestone", field="milestone")
    return step.milestone


def _answer_of(status: MedicalStatus, milestone: str) -> dict[str, Any]:
    return {"decision": str(status)} if milestone == "APPROVAL" else {"passed": True, "milestone": milestone}


def await_milestone(step: StepInput) -> None:
    milestone = _milestone(step)
    if not step.task_token:
        raise ValidationFailed("the step needs its task token", field="taskToken")
    token = step.task_token
    awaited = AWAITED_IN[milestone]

    def decide(record: store.CaseRecord) -> list[store.Change]:
        application = application_in(record, step.application_id)
        if application.status in PASSED[milestone]:
            return []
        if application.status is not awaited:
            raise Conflict(f"the application is {application.status}", field="applicationId")
        at = store.iso(store.utcnow())
        application.waiting = Waiting(milestone=milestone, token=token, since=at)
        detail = {"applicationId": application.application_id, "milestone": milestone}
        return [store.Change(action="MEDICAL_AWAITING", detail=detail, replaces=[(application, awaited)], result=True)]

    applied = store.mutate(WORKFLOW, step.case_id, decide)
    if not applied.result:
        status = application_in(applied.record, step.application_id).status
        workflows.succeed(token, _answer_of(status, milestone))


def close_wait(step: StepInput) -> dict[str, Any]:
    milestone = _milestone(step)
    awaited = AWAITED_IN[milestone]

    def decide(record: store.CaseRecord) -> list[store.Change]:
        application = application_in(record, step.application_id)
        if application.status is not awaited:
            return []  # answered just as the wait lapsed: what was recorded stands
        at = store.iso(store.utcnow())
        application.waiting = None
        detail: dict[str, Any] = {"applicationId": application.application_id, "milestone": milestone}
        if milestone == BILLS:
            return [store.Change(action="MEDICAL_BILLING_CLOSED", detail=detail, replaces=[(application, awaited)],
                                 result=str(application.status))]
        reason = LAPSE_REASONS[milestone]
        application.status, application.status_since = MedicalStatus.LAPSED, at
        application.rejection_reason = reason
        notice = notices.to_party(record.case.case_id, application.injured_party_id, "medical.lapsed", at, reason=reason)
        return [store.Change(action="MEDICAL_LAPSED", detail=detail | {"reason": reason},
                             replaces=[(application, awaited)], puts=[notice], result=str(application.status))]

    status = store.mutate(WORKFLOW, step.case_id, decide).result
    return {"status": status}
