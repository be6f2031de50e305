"""The fund review run's steps (statemachines/fund.asl.json): wait for the reviewer, remind them
the working day before the answer is due, escalate to a supervisor when it is overdue.

The reviewer's answer is recorded by the API; a waiting step that finds the application already
answered answers its own token, so an answer given between two waits is never missed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.fund import FundStepInput
from chalicelib.domain.medical_payers import FundStatus
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import ValidationFailed
from chalicelib.integrations import workflows
from chalicelib.store import cases as store
from chalicelib.store import fund as fund_store
from chalicelib.store import medical_payers as payer_store
from chalicelib.store.fund import FundApplicationItem

WORKFLOW = Principal(subject="fund-workflow", role=Role.SYSTEM)


def _application(record: store.CaseRecord, step: FundStepInput) -> FundApplicationItem:
    from chalicelib.services.medical_payers.fund import _application as find

    return find(record, step.fund_application_id)


def await_review(step: FundStepInput) -> dict[str, Any]:
    """Keep the token the reviewer's answer will use; answer it now if the answer is already in."""
    if not step.task_token:
        raise ValidationFailed("the step needs its task token", field="taskToken")
    token = step.task_token

    def decide(record: store.CaseRecord) -> list[store.Change]:
        item = _application(record, step)
        if item.status != FundStatus.PENDING or item.task_token == token:
            return []
        condition = payer_store.changed(item)
        item.task_token = token
        detail = {"fundApplicationId": item.fund_application_id, "stage": step.stage}
        return [store.Change(action="FUND_REVIEW_AWAITED", detail=detail, replaces=[(item, condition)])]

    status = _application(store.mutate(WORKFLOW, step.case_id, decide).record, step).status
    if status != FundStatus.PENDING:
        workflows.succeed(token, {"status": status})
    return {"status": status}


def _flag(step: FundStepInput, action: str, mark: Any) -> dict[str, Any]:
    def decide(record: store.CaseRecord) -> list[store.Change]:
        item = _application(record, step)
        if item.status != FundStatus.PENDING:
            return []  # answered meanwhile: the next wait answers itself
        at = store.iso(store.utcnow())
        condition = payer_store.changed(item)
        mark(item, at)
        detail = {"fundApplicationId": item.fund_application_id, "answerBy": item.answer_by}
        return [store.Change(action=action, detail=detail, replaces=[(item, condition)])]

    store.mutate(WORKFLOW, step.case_id, decide)
    return {"flagged": action}


def remind(step: FundStepInput) -> dict[str, Any]:
    """The working day before the answer is due: the reviewer is reminded (recorded on the case)."""
    return _flag(step, "FUND_REVIEW_REMINDED", lambda item, at: setattr(item, "reminded_at", at))


def escalate(step: FundStepInput) -> dict[str, Any]:
    """The answer is overdue: listed for the supervisors (gsi2) until it comes."""
    return _flag(step, "FUND_REVIEW_ESCALATED", fund_store.flag_escalated)
