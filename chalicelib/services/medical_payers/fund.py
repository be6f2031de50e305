"""The road rescue fund: the notice to the fund, the review run, the reviewer's answer.

When a fund application opens (`requests.bills_posted`) the police's 救助基金垫付通知书 is issued as a
case document (verifiable at /verify/{documentId}) and the review run `fund-<id>` starts; both are
repeated safely by `follow_up`, so a failure after the case was written is mended by the next call.
The reviewer's answer is recorded first (the case transaction), then the waiting step is answered;
the run only times the reminder and the escalation (ADR 0019).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from chalicelib.contracts.fund import (
    ApproveFund,
    EscalationQuery,
    FundApplicationList,
    FundApplicationView,
    FundQuery,
    RejectFund,
)
from chalicelib.domain.beijing_time import CHINA, local
from chalicelib.domain.masking import mask_name
from chalicelib.domain.medical_payers import FundStatus, recovery_of
from chalicelib.domain.medical_split import FundReason
from chalicelib.domain.principals import Principal
from chalicelib.errors import AmountExceedsDue, Conflict, NotFound, Unavailable, WaitOver
from chalicelib.integrations import workflows
from chalicelib.observability import logger
from chalicelib.services import documents, notices
from chalicelib.services.letters import unit, verify_url
from chalicelib.services.medical_payers.requests import PAYERS
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import fund as fund_store
from chalicelib.store import medical_payers as payer_store
from chalicelib.store import paging, reference
from chalicelib.store.fund import FundApplicationItem

FUND_NOTICE = "FUND_NOTICE"


def view(item: FundApplicationItem) -> FundApplicationView:
    return FundApplicationView.model_validate(
        {**{name: getattr(item, name) for name in FundApplicationView.model_fields if hasattr(item, name)},
         "reasons": list(item.reasons), "to_recover": store.plain(item.to_recover) if item.to_recover is not None else None}
    )


def _application(record: store.CaseRecord, fund_application_id: str) -> FundApplicationItem:
    found = payer_store.of_case(record.case.case_id).fund(fund_application_id)
    if found is None:
        raise NotFound("no such fund application", field="fundApplicationId")
    return found


# --- the notice and the run ---------------------------------------------------------------


def _hospital_name(code: str) -> str:
    return reference.names("HOSPITAL", [code]).get(code, code)


def _notice_renderer(record: store.CaseRecord, item: FundApplicationItem, number: str, at: datetime) -> Callable[[str], bytes]:
    from chalicelib.documents.medical import FundNoticeData, render_fund_notice

    party = record.party(item.person_id)
    determination = record.case.determination
    data: dict[str, Any] = {
        "document_number": number, "case_number": record.case.case_id, "issuing_unit": unit(record.case.jurisdiction)["name"],
        "officer_badge": determination.officer_badge if determination is not None else "",
        "hospital_name": _hospital_name(item.hospital_code), "injured_masked": mask_name(party.name) if party else "",
        "reasons": frozenset(FundReason(str(r)) for r in item.reasons), "amount_fen": int(item.requested),
        "treatment_started_at": local(item.treatment_started_at), "issued_at": at.astimezone(CHINA),
    }
    return lambda document_id: render_fund_notice(FundNoticeData(**data, verify_url=verify_url(document_id)))


def issue_notice(case_id: str, fund_application_id: str) -> None:
    """The 救助基金垫付通知书 of one application, once."""
    record = store.load(case_id)
    item = _application(record, fund_application_id)
    if item.notice_document_id:
        return
    moment = store.utcnow()
    prefix = unit(record.case.jurisdiction).get("documentPrefix", "")
    number = f"{prefix}救基通字〔{moment.astimezone(CHINA).year}〕第{fund_application_id}号"
    draft = documents.draft(case_id, FUND_NOTICE, number, 1, None, _notice_renderer(record, item, number, moment))

    def decide(current: store.CaseRecord) -> list[store.Change]:
        application = _application(current, fund_application_id)
        if application.notice_document_id:
            return []  # another call issued it first: this draft is discarded
        condition = payer_store.changed(application)
        application.notice_document_id = draft.document_id
        detail = {"fundApplicationId": fund_application_id, "documentId": draft.document_id}
        return [documents.issued(draft, store.iso(moment)),
                store.Change(action="FUND_NOTIFIED", detail=detail, replaces=[(application, condition)])]

    documents.commit(PAYERS, draft, decide)


def _review_timing(item: FundApplicationItem, now: datetime) -> dict[str, int]:
    """Seconds to the reminder (the working day before the answer is due) and from it to the
    escalation (the answer day over), from the calendar; settings may fix them (tests, demos)."""
    settings = get_settings()
    remind_at = datetime.combine(datetime.fromisoformat(item.remind_on).date(), time(9), CHINA)
    lapse_at = datetime.combine(datetime.fromisoformat(item.answer_by).date() + timedelta(days=1), time(0), CHINA)
    reminder = settings.fund_reminder_seconds or max(1, int((remind_at - now).total_seconds()))
    escalation = settings.fund_escalation_seconds or max(1, int((lapse_at - max(remind_at, now)).total_seconds()))
    return {"reminderSeconds": reminder, "escalationSeconds": escalation, "supervisorSeconds": settings.fund_supervisor_seconds}


def start_review(item: FundApplicationItem) -> None:
    machine = get_settings().fund_state_machine_arn
    if not machine:
        logger.warning("fund review not started: no state machine configured", extra={"case_id": item.case_id})
        return
    payload = {"fundApplicationId": item.fund_application_id, "caseId": item.case_id,
               "config": _review_timing(item, store.utcnow())}
    workflows.start(machine, f"fund-{item.fund_application_id}", payload)


def follow_up(case_id: str) -> None:
    """Issue missing notices and (re)start the review of every pending application (both idempotent)."""
    for item in payer_store.of_case(case_id).funds:
        if not item.notice_document_id:
            issue_notice(case_id, item.fund_application_id)
        if item.status == FundStatus.PENDING:
            try:
                start_review(item)
            except Unavailable:
                logger.warning("fund review not started yet; the next call retries", extra={"case_id": case_id})


# --- the reviewer ------------------------------------------------------------------------------


def _listed(page: Any) -> FundApplicationList:
    items = [view(item) for item in page]
    return FundApplicationList(applications=items, next_token=paging.encode(page.last_evaluated_key))


def queue(principal: Principal, query: FundQuery) -> FundApplicationList:
    unit_code = principal.jurisdiction or ""
    if query.escalated:
        return escalations(principal, EscalationQuery(limit=query.limit, next_token=query.next_token))
    return _listed(fund_store.queue(unit_code, query.status, query.limit, query.next_token))


def escalations(principal: Principal, query: EscalationQuery) -> FundApplicationList:
    """The unit's overdue reviews (escalated by the run, listed until answered): what its supervisors chase."""
    return _listed(fund_store.escalated(principal.jurisdiction or "", query.limit, query.next_token))


def _answer(principal: Principal, fund_application_id: str, status: str,
            apply: Callable[[store.CaseRecord, FundApplicationItem, str], tuple[str, dict[str, Any], list[Any]]]) -> FundApplicationView:
    case_id = fund_store.case_of(fund_application_id)
    if case_id is None:
        raise NotFound("no such fund application", field="fundApplicationId")

    def decide(record: store.CaseRecord) -> store.Change:
        item = _application(record, fund_application_id)
        if item.status != FundStatus.PENDING:
            raise Conflict("this fund application was already answered", field="fundApplicationId", status=item.status)
        at = store.iso(store.utcnow())
        condition = payer_store.changed(item)
        action, detail, puts = apply(record, item, at)
        item.decided_by, item.decided_at = principal.audit_name, at
        fund_store.set_status(item, status, at)
        return store.Change(action=action, detail={"fundApplicationId": fund_application_id, **detail}, puts=puts,
                            replaces=[(item, condition)], result=item)

    item: FundApplicationItem = store.mutate(principal, case_id, decide).result
    if item.task_token:
        try:
            workflows.succeed(item.task_token, {"status": status})
        except WaitOver:
            pass  # the run moved on (its wait lapsed): the answer is recorded all the same
    return view(item)


def approve(principal: Principal, fund_application_id: str, body: ApproveFund) -> FundApplicationView:
    def apply(record: store.CaseRecord, item: FundApplicationItem, at: str) -> tuple[str, dict[str, Any], list[Any]]:
        amount = body.amount if body.amount is not None else int(item.requested)
        if amount > int(item.requested):
            raise AmountExceedsDue(f"advances {amount} fen, more than the {int(item.requested)} fen applied for", field="amount")
        to_recover = recovery_of(store.plain(item.recover), amount)
        item.advanced, item.to_recover = amount, to_recover  # type: ignore[assignment]
        puts = [notices.to_party(record.case.case_id, item.person_id, "fund.advanced", at, yuan=f"{amount / 100:.2f}")] \
            if record.party(item.person_id) else []
        return "FUND_ADVANCED", {"advanced": amount, "toRecover": to_recover}, puts

    return _answer(principal, fund_application_id, FundStatus.APPROVED, apply)


def reject(principal: Principal, fund_application_id: str, body: RejectFund) -> FundApplicationView:
    def apply(record: store.CaseRecord, item: FundApplicationItem, at: str) -> tuple[str, dict[str, Any], list[Any]]:
        item.reject_reason = body.reason
        puts = [notices.to_party(record.case.case_id, item.person_id, "fund.rejected", at)] if record.party(item.person_id) else []
        return "FUND_REJECTED", {"reason": body.reason}, puts

    return _answer(principal, fund_application_id, FundStatus.REJECTED, apply)
