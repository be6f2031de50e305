"""Remote liability determination by an officer: the decision, the letter, the notices."""

from __future__ import annotations

from typing import Any

from chalicelib.contracts.determination import DeterminationView, Determine, Determined
from chalicelib.documents.render import render_letter
from chalicelib.domain import case_status
from chalicelib.domain.decisions import Determination
from chalicelib.domain.principals import Principal
from chalicelib.services import claims, documents, letters, liability_terms, notices
from chalicelib.store import cases as store
from chalicelib.store import outbox, staff
from chalicelib.store.models import OutboxItem


def determination_view(determination: Determination) -> DeterminationView:
    return DeterminationView.model_validate(determination, from_attributes=True)


def insurer_events(record: store.CaseRecord, topic: str, data: dict[str, Any], at: str) -> list[OutboxItem]:
    """One webhook event per insurer of a vehicle in the case (issue 4 delivers them)."""
    codes = sorted({p.vehicle.as_dict().get("insurerCode") for p in record.parties if p.vehicle is not None} - {None})
    return [outbox.event(record.case.case_id, code, topic, data, at) for code in codes]


def determine(principal: Principal, case_id: str, body: Determine) -> Determined:
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
    decision = Determination(
        **dict(terms),
        override_reason=body.override_reason if body.liabilities is not None else None,
        determined_at=store.iso(now),
        officer=principal.audit_name,
        officer_badge=staff.badge(principal.subject),
        deadlines=liability_terms.deadlines(now),
    )
    letter = documents.draft(
        case_id,
        documents.LETTER,
        letters.letter_number(record, 1),
        1,
        None,
        lambda document_id: render_letter(letters.letter(record, decision, document_id, 1)),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        case_status.ensure_status(fresh.case.status, case_status.AWAITING_DETERMINATION)
        fresh.case.determination = decision.model_copy(update={"letter_document_id": letter.document_id})
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
        reported = claims.report_change(fresh, {}, at, decision.liabilities)  # one-click report, automatic
        return [*changes, reported] if reported else changes

    documents.commit(principal, letter, decide)
    return Determined(
        case_id=case_id,
        status=case_status.DETERMINED,
        determination=determination_view(decision),
        letter_document_id=letter.document_id,
    )
