"""Police mediation (Order 146 Art.84-94): asked by every party, scheduled by an officer with
3 working days' notice, held with at most 3 people a side, ended within 10 working days by an
agreement every party signs (调解书) or a termination (调解终结书). A pending review suspends it.

A signature is recorded in its own change; the agreement is issued right after by `_conclude`,
which looks at the case afresh and is safe to run again (as `signing.reconcile` does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from chalicelib import config
from chalicelib.contracts.disputes import (
    AskMediation,
    MediationView,
    ParticipantView,
    ProposeSettlement,
    RecordSession,
    ScheduleMediation,
    SettlementView,
    Terminate,
)
from chalicelib.domain import case_status, ids, jurisdiction, masking
from chalicelib.domain import mediation as rules
from chalicelib.domain.beijing_time import CHINA, local
from chalicelib.domain.mediation import Ask, Mediation, MediationStatus, Participant, ParticipantKind, Settlement
from chalicelib.domain.mediation_terms import TerminationReason
from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.review import own_deadlines
from chalicelib.errors import Conflict, DeadlinePassed, NotFound, ValidationFailed
from chalicelib.services import access, documents, mediation_documents, notices
from chalicelib.services import calendar as calendars
from chalicelib.services.determination import insurer_events
from chalicelib.services.room import messages as room
from chalicelib.store import case_items, disputes, staff
from chalicelib.store import cases as store

AGREEMENT = "MEDIATION_AGREEMENT"
TERMINATION = "MEDIATION_TERMINATION"
DEADLINE_SWEEP = Principal(subject="mediation-deadline", role=Role.SYSTEM)
_ENDED = (MediationStatus.AGREED, MediationStatus.TERMINATED, MediationStatus.CANCELLED)


def _today() -> date:
    return store.utcnow().astimezone(CHINA).date()


def view(record: store.CaseRecord, principal: Principal) -> MediationView | None:
    mediation = record.case.mediation
    if mediation is None:
        return None
    own = principal.subject if principal.role is Role.PARTY else None
    settlement = mediation.settlement
    return MediationView(
        mediation_id=mediation.mediation_id,
        status=mediation.status.value,
        asked_by=sorted(mediation.asked),
        waiting_for=[p.party_id for p in record.parties if p.party_id not in mediation.asked],
        requested_at=mediation.requested_at,
        session_at=mediation.session_at,
        mediator_id=mediation.mediator_id,
        participants=[
            ParticipantView(participant_id=p.participant_id, party_id=p.side, kind=p.kind.value, insurer_code=p.insurer_code,
                            name=p.name if own is None or p.side == own else masking.mask_name(p.name), attended=p.attended)
            for p in mediation.participants
        ],
        started_at=mediation.started_at,
        conclude_by=mediation.conclude_by,
        conclude_by_provisional=mediation.conclude_by_provisional,
        video_session_id=mediation.video_session_id,
        minutes=[m.text for m in mediation.minutes],
        settlement=SettlementView.model_validate({**settlement.model_dump(), "signed_by": sorted(settlement.signatures)})
        if settlement is not None else None,
        document_id=mediation.document_id,
        termination_reason=mediation.termination_reason,
        ended_at=mediation.ended_at,
    )


def _reply(principal: Principal, record: store.CaseRecord) -> MediationView:
    shown = view(record, principal)
    assert shown is not None
    return shown


def ask(principal: Principal, case_id: str, body: AskMediation) -> MediationView:
    """A party asks; the mediation is requested once every party has, each within its 10 working days."""
    read = store.load_for(principal, case_id)
    party_id = principal.subject or ""
    access.ensure_acts_for(principal, read, party_id, "caseId")

    def decide(record: store.CaseRecord) -> list[store.Change]:
        case = record.case
        mediation = case.mediation
        if mediation is not None and party_id in mediation.asked:
            return []  # a retry
        if mediation is not None and mediation.status is not MediationStatus.ASKING:
            raise Conflict(f"a mediation of this case is {mediation.status.value}", field="caseId", status=case.status)
        if case.determination is None or case.status not in case_status.LETTER_STANDS | {case_status.UNDER_REVIEW}:
            raise Conflict(f"the case is {case.status}: mediation is asked after a letter", field="status", status=case.status)
        rules.ensure_request_in_time(_today(), own_deadlines(case.determination, party_id))
        at = store.iso(store.utcnow())
        puts: list = []
        if mediation is None:
            mediation = Mediation(mediation_id=ids.new_mediation_id())
            puts.append(disputes.mediation_pointer(mediation.mediation_id, case_id))
        mediation = mediation.model_copy(update={"asked": {**mediation.asked, party_id: Ask(at=at, waive_notice=body.waive_notice)}})
        changes = [store.Change(action="MEDIATION_ASKED", detail={"mediationId": mediation.mediation_id, "partyId": party_id,
                                                                  "waiveNotice": body.waive_notice}, puts=puts)]
        if mediation.asked_by_all([p.party_id for p in record.parties]):
            mediation = mediation.model_copy(update={"status": MediationStatus.REQUESTED, "requested_at": at})
            changes.append(room.announce(record, "mediation.requested", at))
            changes.append(_move(record, "MEDIATION_REQUESTED", case_status.MEDIATION_REQUESTED,
                                 {"mediationId": mediation.mediation_id}, notices.to_parties(record, "mediation.requested", at)))
        case.mediation = mediation
        return changes

    return _reply(principal, store.mutate(principal, case_id, decide, read=read).record)


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _move(record: store.CaseRecord, action: str, status: str, detail: dict, puts: list) -> store.Change:
    """The case moves to `status`, or, while a review is pending, resumes there once it is upheld."""
    case = record.case
    if case.status == case_status.UNDER_REVIEW and case.review is not None:
        case.review = case.review.model_copy(update={"resume_status": status})
        return store.Change(action=action, detail={**detail, "suspendedByReview": True}, puts=puts)
    case_status.ensure_move(case.status, status)
    return store.Change(action=action, detail=detail, new_status=status, puts=puts)


def may_conduct(principal: Principal, record: store.CaseRecord) -> None:
    """Who runs a session: the case's police, or the mediator scheduled for its mediation (signed in
    as `mediator`, for a unit covering the case); any other mediator is told it does not exist."""
    if principal.role is not Role.MEDIATOR:
        store.authorise(principal, record)
        return
    mediation = record.case.mediation
    if (mediation is None or mediation.status is MediationStatus.CANCELLED or mediation.mediator_id != principal.subject
            or not jurisdiction.covers(principal.jurisdiction, record.case.jurisdiction)):
        raise NotFound("no such mediation", field="mediationId")


def _on_mediation(principal: Principal, mediation_id: str, decide: Callable[[store.CaseRecord, Mediation], list[store.Change]],
                  ) -> store.CaseRecord:
    case_id = disputes.case_of_mediation(mediation_id)

    def apply(record: store.CaseRecord) -> list[store.Change]:
        mediation = record.case.mediation
        if mediation is None or mediation.mediation_id != mediation_id:
            raise Conflict("this mediation is not the case's current one", field="mediationId", status=record.case.status)
        if record.case.status == case_status.UNDER_REVIEW:
            raise Conflict("a review of the letter is pending: the mediation is suspended until it is decided",
                           field="mediationId", status=record.case.status)
        return decide(record, mediation)

    return store.mutate(principal, case_id, apply, may=may_conduct).record


def read(principal: Principal, mediation_id: str) -> MediationView:
    record = store.load(disputes.case_of_mediation(mediation_id))
    may_conduct(principal, record)
    mediation = record.case.mediation
    if mediation is None or mediation.mediation_id != mediation_id:
        raise NotFound("no such mediation", field="mediationId")
    return _reply(principal, record)


def schedule(principal: Principal, mediation_id: str, body: ScheduleMediation) -> MediationView:
    mediator = staff.member(body.mediator_id)
    if mediator is None or mediator.role not in ("mediator", "officer"):
        raise ValidationFailed("is not a mediator or an officer", field="mediatorId")
    calendar = calendars.current()

    def decide(record: store.CaseRecord, mediation: Mediation) -> list[store.Change]:
        case_status.ensure_status(record.case.status, case_status.MEDIATION_REQUESTED)
        if mediator.jurisdiction != record.case.jurisdiction:
            raise ValidationFailed("does not serve this case's jurisdiction", field="mediatorId")
        party_ids = [p.party_id for p in record.parties]
        now = store.utcnow()
        if body.at <= now:
            raise ValidationFailed("must be in the future", field="at")
        waived = mediation.waived_by_all(party_ids)
        rules.ensure_notice(now.astimezone(CHINA).date(), body.at.astimezone(CHINA).date(), waived, calendar)
        people = [Participant(participant_id=ids.new_participant_id(), side=p.party_id, kind=ParticipantKind.PARTY, name=p.name)
                  for p in record.parties]
        for index, extra in enumerate(body.participants):
            insured = record.party(extra.party_id)
            if extra.kind.value == ParticipantKind.INSURER_STAFF and (
                    insured is None or store.plain(insured.vehicle).get("insurerCode") != extra.insurer_code):
                raise ValidationFailed("insurer staff attend for the insurer of that party's vehicle",
                                       field=f"participants[{index}].insurerCode")
            people.append(Participant(participant_id=ids.new_participant_id(), side=extra.party_id, kind=ParticipantKind(extra.kind.value),
                                      name=extra.name, insurer_code=extra.insurer_code))
        rules.ensure_sides(people, party_ids)
        at = store.iso(now)
        record.case.mediation = mediation.model_copy(update={
            "status": MediationStatus.SCHEDULED, "session_at": store.iso(body.at), "mediator_id": mediator.staff_id,
            "mediator_name": mediator.name, "scheduled_by": principal.audit_name, "notice_waived": waived, "participants": people,
        })
        time = f"{body.at.astimezone(CHINA):%Y年%m月%d日%H时%M分}"
        puts = [notices.to_party(record.case.case_id, p.party_id, "mediation.scheduled", at, time=time, mediator=mediator.name,
                                 participants=_listed(people, p.party_id), with_link=True) for p in record.parties]
        staffed = [{"participantId": p.participant_id, "partyId": p.side, "insurerCode": p.insurer_code} for p in people
                   if p.kind is ParticipantKind.INSURER_STAFF]
        puts += insurer_events(record, "mediation.scheduled", {"mediationId": mediation_id, "at": store.iso(body.at),
                                                                "insurerStaff": staffed}, at)
        detail = {"mediationId": mediation_id, "at": store.iso(body.at), "mediatorId": mediator.staff_id, "noticeWaived": waived,
                  "participants": len(people)}
        return [room.announce(record, "mediation.scheduled", at, time=time, mediator=mediator.name),
                store.Change(action="MEDIATION_SCHEDULED", detail=detail, new_status=case_status.MEDIATION_SCHEDULED, puts=puts)]

    return _reply(principal, _on_mediation(principal, mediation_id, decide))


def _listed(people: list[Participant], reader: str) -> str:
    """Who attends, as a party's notice names them: its own side in full, the others masked."""
    return "、".join(p.name if p.side == reader else masking.mask_name(p.name) for p in people)


def record_session(principal: Principal, mediation_id: str, body: RecordSession) -> MediationView:
    """Attendance, minutes and the video session; the first record starts the 10 working days."""
    calendar = calendars.current()

    def decide(record: store.CaseRecord, mediation: Mediation) -> list[store.Change]:
        case_status.ensure_status(record.case.status, case_status.MEDIATION_SCHEDULED, case_status.MEDIATING)
        now = store.utcnow()
        if mediation.session_at and now < datetime.fromisoformat(mediation.session_at):
            raise Conflict(f"the session is scheduled for {mediation.session_at}", field="mediationId", status=record.case.status)
        known = {p.participant_id for p in mediation.participants}
        for index, participant_id in enumerate(body.attended):
            if participant_id not in known:
                raise ValidationFailed("is not a participant of this mediation", field=f"attended[{index}]")
        at = store.iso(now)
        update: dict = {"participants": [p.model_copy(update={"attended": p.participant_id in body.attended or bool(p.attended)})
                                         for p in mediation.participants]}
        if body.minutes:
            update["minutes"] = [*mediation.minutes, rules.Minute(at=at, by=principal.audit_name, text=body.minutes)]
        if body.video_session_id:
            update["video_session_id"] = body.video_session_id
        new_status, shown = None, []
        if mediation.started_at is None:
            ends = rules.conclude_by(now.astimezone(CHINA).date(), calendar)
            update |= {"status": MediationStatus.IN_SESSION, "started_at": at, "conclude_by": ends.due.isoformat(),
                       "conclude_by_provisional": ends.provisional}
            new_status = case_status.MEDIATING
            shown = [room.announce(record, "mediation.started", at, conclude_by=notices.day(ends.due.isoformat()))]
        record.case.mediation = mediation.model_copy(update=update)
        detail = {"mediationId": mediation_id, "attended": list(body.attended), "minutes": bool(body.minutes),
                  "videoSessionId": body.video_session_id}
        return [*shown, store.Change(action="MEDIATION_SESSION", detail=detail, new_status=new_status)]

    return _reply(principal, _on_mediation(principal, mediation_id, decide))


def _ensure_in_session(record: store.CaseRecord, mediation: Mediation) -> None:
    case_status.ensure_status(record.case.status, case_status.MEDIATING)
    if rules.is_overdue(mediation, _today()):
        raise DeadlinePassed(
            f"the mediation had to end by {mediation.conclude_by}: 10 working days from its start (Art.89); "
            "it is terminated for want of an agreement",
            field="mediationId", deadline=mediation.conclude_by, workingDays=rules.CONCLUDE_WORKING_DAYS,
        )


def propose(principal: Principal, mediation_id: str, body: ProposeSettlement) -> MediationView:
    def decide(record: store.CaseRecord, mediation: Mediation) -> list[store.Change]:
        _ensure_in_session(record, mediation)
        at = store.iso(store.utcnow())
        settlement = Settlement(
            basis=body.basis, facts=body.facts, losses=body.losses,
            items=[rules.AgreedItem(name=i.name, amount_fen=i.amount_fen) for i in body.items],
            shares=[rules.AgreedShare(party_id=s.party_id, amount_fen=s.amount_fen) for s in body.shares],
            payment_method=body.payment_method, payment_deadline=body.payment_deadline.isoformat(),
            proposed_at=at, proposed_by=principal.audit_name,
        )
        rules.ensure_shares(settlement, [p.party_id for p in record.parties])
        record.case.mediation = mediation.model_copy(update={"settlement": settlement})
        total = sum(i.amount_fen for i in settlement.items)
        detail = {"mediationId": mediation_id, "totalFen": total}
        return [room.announce(record, "mediation.proposed", at, yuan=_yuan(total)),
                store.Change(action="MEDIATION_AGREEMENT_PROPOSED", detail=detail,
                             puts=notices.to_parties(record, "mediation.proposed", at, with_link=True))]

    return _reply(principal, _on_mediation(principal, mediation_id, decide))


def sign(principal: Principal, mediation_id: str) -> MediationView:
    """The party signs the proposed agreement with its own token; the last signature concludes it."""
    party_id = principal.subject or ""

    def decide(record: store.CaseRecord, mediation: Mediation) -> list[store.Change]:
        access.ensure_acts_for(principal, record, party_id, "mediationId")
        settlement = mediation.settlement
        if mediation.status is MediationStatus.AGREED or (settlement is not None and party_id in settlement.signatures):
            return []  # a retry: `_conclude` below issues the agreement if it is still missing
        _ensure_in_session(record, mediation)
        if settlement is None:
            raise Conflict("no agreement is proposed yet", field="mediationId", status=record.case.status)
        at = store.iso(store.utcnow())
        signed = settlement.model_copy(update={"signatures": {**settlement.signatures, party_id: at}})
        record.case.mediation = mediation.model_copy(update={"settlement": signed})
        return [store.Change(action="MEDIATION_SIGNED", detail={"mediationId": mediation_id, "partyId": party_id})]

    record = _conclude(principal, _on_mediation(principal, mediation_id, decide))
    return _reply(principal, record)


def _conclude(principal: Principal, record: store.CaseRecord) -> store.CaseRecord:
    mediation = record.case.mediation
    if mediation is None or mediation.settlement is None or mediation.status is not MediationStatus.IN_SESSION:
        return record
    settlement = mediation.settlement
    if not settlement.signed_by_all([p.party_id for p in record.parties]):
        return record
    concluded_at = store.iso(store.utcnow())
    document = documents.draft(
        record.case.case_id, AGREEMENT, mediation_documents.agreement_number(record), 1, None,
        lambda document_id: mediation_documents.render_agreement(record, mediation, settlement, document_id, concluded_at),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        current = fresh.case.mediation
        if current is None or current.status is not MediationStatus.IN_SESSION or current.settlement != settlement:
            return []  # concluded by a concurrent signature, or the terms changed
        fresh.case.mediation = current.model_copy(update={"status": MediationStatus.AGREED, "document_id": document.document_id,
                                                          "ended_at": concluded_at})
        data = {
            "mediationId": current.mediation_id, "documentId": document.document_id,
            "items": [{"name": i.name, "amountFen": i.amount_fen} for i in settlement.items],
            "shares": [{"partyId": s.party_id, "amountFen": s.amount_fen,
                        "insurerCode": store.plain(party.vehicle).get("insurerCode") if (party := fresh.party(s.party_id)) else None}
                       for s in settlement.shares],
            "paymentMethod": settlement.payment_method, "paymentDeadline": settlement.payment_deadline,
        }
        agreed = store.Change(
            action="MEDIATED", detail={"mediationId": current.mediation_id, "documentId": document.document_id,
                                       "totalFen": sum(i.amount_fen for i in settlement.items)},
            new_status=case_status.MEDIATED,
            puts=[*insurer_events(fresh, "mediation.agreed", data, concluded_at),
                  *insurer_events(fresh, "document.issued", {"documentId": document.document_id, "kind": AGREEMENT}, concluded_at),
                  *notices.to_parties(fresh, "mediation.agreed", concluded_at)],
        )
        shown = room.announce(fresh, "mediation.agreed", concluded_at, document.document_id, yuan=_yuan(agreed.detail["totalFen"]))
        return [shown, documents.issued(document, concluded_at), agreed]

    return documents.commit(principal, document, decide)


def terminate(principal: Principal, mediation_id: str, body: Terminate) -> MediationView:
    case_id = disputes.case_of_mediation(mediation_id)
    record = store.load(case_id)
    may_conduct(principal, record)
    return _reply(principal, _terminate(principal, record, mediation_id, body.reason.value, body.reason_text))


def _terminate(principal: Principal, record: store.CaseRecord, mediation_id: str, reason: str, reason_text: str) -> store.CaseRecord:
    mediation = record.case.mediation
    if mediation is None or mediation.mediation_id != mediation_id:
        raise Conflict("this mediation is not the case's current one", field="mediationId", status=record.case.status)
    if mediation.status is MediationStatus.TERMINATED and mediation.termination_reason == reason:
        return record  # a retry
    case_status.ensure_move(record.case.status, case_status.MEDIATION_TERMINATED)
    if reason == "NO_AGREEMENT_IN_TIME" and not rules.is_overdue(mediation, _today()):
        raise Conflict(f"the mediation may run until {mediation.conclude_by or 'its start plus 10 working days'}",
                       field="reason", status=record.case.status)
    ended_at = store.iso(store.utcnow())
    document = documents.draft(
        record.case.case_id, TERMINATION, mediation_documents.termination_number(record), 1, None,
        lambda document_id: mediation_documents.render_termination(record, mediation, reason, reason_text, document_id, ended_at),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        current = fresh.case.mediation
        if current is None or current.status in _ENDED or current.mediation_id != mediation_id:
            return []
        case_status.ensure_move(fresh.case.status, case_status.MEDIATION_TERMINATED)
        fresh.case.mediation = current.model_copy(update={"status": MediationStatus.TERMINATED, "document_id": document.document_id,
                                                          "termination_reason": reason, "termination_text": reason_text,
                                                          "ended_at": ended_at})
        ended = store.Change(
            action="MEDIATION_TERMINATED", detail={"mediationId": mediation_id, "reason": reason, "documentId": document.document_id},
            new_status=case_status.MEDIATION_TERMINATED,
            puts=[*insurer_events(fresh, "mediation.terminated", {"mediationId": mediation_id, "reason": reason,
                                                                  "documentId": document.document_id}, ended_at),
                  *notices.to_parties(fresh, "mediation.terminated", ended_at, reason=TerminationReason(reason).wording)],
        )
        shown = room.announce(fresh, "mediation.terminated", ended_at, document.document_id, reason=TerminationReason(reason).wording)
        return [shown, documents.issued(document, ended_at), ended]

    return documents.commit(principal, document, decide, may=may_conduct)


def close_overdue(unit: str, limit: int = 50) -> list[str]:
    """Terminate the unit's mediations past their 10 working days (its MEDIATING queue, oldest first:
    a Query, no Scan); returns the cases terminated. Run on a schedule and safe to run again."""
    closed = []
    for case in case_items.queue(unit, case_status.MEDIATING, limit, None):
        if case.mediation is not None and rules.is_overdue(case.mediation, _today()):
            started = local(case.mediation.started_at or case.status_since)
            text = f"自{started:%Y年%m月%d日}开始调解，至{case.mediation.conclude_by}未达成协议"
            _terminate(DEADLINE_SWEEP, store.load(case.case_id), case.mediation.mediation_id, "NO_AGREEMENT_IN_TIME", text)
            closed.append(case.case_id)
    return closed


def close_overdue_everywhere() -> int:
    """`close_overdue` for every configured unit (configuration, not a Scan); how many were terminated."""
    return sum(len(close_overdue(unit["code"])) for unit in config.load("jurisdictions")["units"])
