"""Remote liability determination by an officer: the decision, the letter, the notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.contracts.determination import DeterminationView, Determine, Determined
from chalicelib.domain import case_status, workdays
from chalicelib.domain.decisions import Determination
from chalicelib.domain.principals import Principal, Role
from chalicelib.observability import LETTERS_ISSUED, count
from chalicelib.services import calendar as calendars
from chalicelib.services import claims, documents, letters, liability_terms, notices
from chalicelib.store import calendar as calendar_store
from chalicelib.store import cases as store
from chalicelib.store import outbox, staff
from chalicelib.store.models import OutboxItem

# Who records a service the deliverer saw, or a recount after a calendar load (the audit log names it).
SERVICE = Principal(subject="letter-service", role=Role.SYSTEM)
RECOUNT = Principal(subject="calendar-recount", role=Role.SYSTEM)
NOTICE_DELIVERED = "NOTICE_DELIVERED"


def determination_view(determination: Determination) -> DeterminationView:
    return DeterminationView.model_validate(determination, from_attributes=True)


def insurer_events(record: store.CaseRecord, topic: str, data: dict[str, Any], at: str) -> list[OutboxItem]:
    """One webhook event per insurer of a vehicle in the case (issue 4 delivers them)."""
    return [outbox.event(record.case.case_id, code, topic, data, at) for code in sorted(record.insurer_codes())]


def determine(principal: Principal, case_id: str, body: Determine) -> Determined:
    from chalicelib.documents.render import render_letter  # PDF drawing loads only where a document is drawn (ADR 0039)

    record = store.load_for(principal, case_id)
    case_status.ensure_status(record.case.status, case_status.AWAITING_DETERMINATION)
    now = store.utcnow()
    terms = liability_terms.terms(
        record,
        body.scenario,
        body.at_fault_party_id,
        {k: v.value for k, v in body.liabilities.items()} if body.liabilities is not None else None,
        body.facts,
        body.collision_parts,
    )
    calendar = calendars.current()
    decision = Determination(
        **dict(terms),
        override_reason=body.override_reason if body.liabilities is not None else None,
        determined_at=store.iso(now),
        officer=principal.audit_name,
        officer_badge=staff.badge(principal.subject),
        deadlines=liability_terms.deadlines(now, calendar),
    )
    # After a review ordered a new determination (REDO), the new letter supersedes the one reviewed.
    previous = record.current_document(documents.LETTER)
    revision = int(previous.revision) + 1 if previous else 1
    note = letters.redo_note(revision, previous.number) if previous else None
    letter = documents.draft(
        case_id,
        documents.LETTER,
        letters.letter_number(record, revision),
        revision,
        previous.document_id if previous else None,
        lambda document_id: render_letter(letters.letter(record, decision, document_id, revision, note)),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        case_status.ensure_status(fresh.case.status, case_status.AWAITING_DETERMINATION)
        fresh.case.determination = decision.model_copy(update={"letter_document_id": letter.document_id})
        calendar_store.mark_provisional(fresh.case, liability_terms.waits_for(decision, calendar))
        at = store.iso(store.utcnow())
        data = {"liabilities": decision.liabilities, "scenario": decision.scenario, "documentId": letter.document_id}
        determined = store.Change(
            action="DETERMINED",
            detail={
                "scenario": decision.scenario,
                "liabilities": decision.liabilities,
                "overridden": decision.overridden,
                "suggested": decision.suggested,
            },
            new_status=case_status.DETERMINED,
            puts=[
                *insurer_events(fresh, "case.determined", data, at),
                *insurer_events(fresh, "document.issued", {"documentId": letter.document_id, "kind": documents.LETTER}, at),
                *notices.to_parties(fresh, "letter.issued", at),
            ],
        )
        changes = [determined, documents.issued(letter, at)]
        reported = claims.report_change(fresh, {}, at, decision.liabilities, calendar)  # one-click report, automatic
        return [*changes, reported] if reported else changes

    documents.commit(principal, letter, decide, read=record)
    count(LETTERS_ISSUED)
    return Determined(
        case_id=case_id,
        status=case_status.DETERMINED,
        determination=determination_view(decision),
        letter_document_id=letter.document_id,
    )


def serve(record: store.CaseRecord, party_id: str, at: str, how: str, calendar: workdays.Calendar) -> store.Change | None:
    """The letter reached the party (signed, refused, or its notice delivered): the party's own
    deadlines run from that day; None when it reached them before."""
    determination = record.case.determination
    if determination is None or record.party(party_id) is None:
        return None
    updated = liability_terms.served(determination, party_id, at, how, calendar)
    if updated is None:
        return None
    record.case.determination = updated
    calendar_store.mark_provisional(record.case, liability_terms.waits_for(updated, calendar))
    own = updated.party_deadlines[party_id]
    return store.Change(action="LETTER_SERVED", detail={"partyId": party_id, "by": how, **own.model_dump(mode="json", by_alias=True)})


def record_service(case_id: str, party_id: str, at: str) -> None:
    """The deliverer handed the party the `letter.issued` notice: service by notice (one case write)."""
    calendar = calendars.current()
    store.mutate(SERVICE, case_id, lambda record: [change] if (change := serve(record, party_id, at, NOTICE_DELIVERED, calendar)) else [])


@dataclass(frozen=True)
class Recount:
    cases: int
    changed: int


def recount_waiting(year: int, calendar: workdays.Calendar) -> Recount:
    """Recount the deadlines of every case waiting for the year's calendar (the store's index of
    them, not a Scan); each party whose dates moved is told."""
    cases = changed = 0
    for case_id in calendar_store.waiting_for(year):
        applied = store.mutate(RECOUNT, case_id, lambda record: _recount(record, year, calendar))
        cases += 1
        changed += bool(applied.result)
    return Recount(cases=cases, changed=changed)


def _recount(record: store.CaseRecord, year: int, calendar: workdays.Calendar) -> store.Change:
    before = record.case.determination
    at = store.iso(store.utcnow())
    moved: list[str] = []
    puts: list[Any] = []
    if before is not None:
        after = before.model_copy(update={
            "deadlines": liability_terms.recounted(before.deadlines, calendar),
            "party_deadlines": {pid: liability_terms.recounted(d, calendar) for pid, d in before.party_deadlines.items()},
        })
        record.case.determination = after
        for party in record.parties:
            old = before.party_deadlines.get(party.party_id, before.deadlines)
            new = after.party_deadlines.get(party.party_id, after.deadlines)
            if (old.review_by, old.mediation_request_by) != (new.review_by, new.mediation_request_by):
                moved.append(party.party_id)
                note = notices.text("deadline.provisional") if new.provisional else ""
                puts.append(notices.to_party(record.case.case_id, party.party_id, "deadline.changed", at, year=year,
                                             review_by=notices.day(new.review_by), mediation_by=notices.day(new.mediation_request_by),
                                             note=note))
        calendar_store.mark_provisional(record.case, liability_terms.waits_for(after, calendar))
    else:
        calendar_store.mark_provisional(record.case, None)
    replaces = []
    for claim in record.claims:
        if claim.clock is not None and claim.clock.provisional:
            status = claim.status
            claims.set_clock(claim, datetime.fromisoformat(claim.status_since), calendar)
            replaces.append((claim, status))
    return store.Change(action="DEADLINES_RECOUNTED", detail={"year": year, "movedFor": moved}, puts=puts, replaces=replaces,
                        result=bool(moved))
