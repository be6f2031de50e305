"""Parties sign or refuse the letter, or propose and sign a self-settlement agreement.

A signature is recorded first, in its own change; the documents it calls for (a re-issued
letter recording a refusal, the agreement once everyone has signed) are issued right after by
`reconcile`, which looks at the case afresh and is safe to run again: a retried signature
request with the same answer re-runs it, so a document can never be left missing.
"""

from __future__ import annotations

from chalicelib.contracts.determination import AgreementProposed, AgreementView, ProposeAgreement, Sign, Signed
from chalicelib.domain import case_status
from chalicelib.domain.decisions import Agreement, Determination, Signature
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, Forbidden
from chalicelib.services import calendar as calendars
from chalicelib.services import claims, documents, letters, liability_terms, notices
from chalicelib.services.determination import insurer_events, serve
from chalicelib.store import cases as store


def _own_party(principal: Principal, party_id: str) -> None:
    if principal.subject != party_id:
        raise Forbidden("a party signs only for themselves", field="partyId")


def _signature(body: Sign, at: str) -> Signature:
    return Signature(accept=body.accept, reason=None if body.accept else body.reason, at=at)


def sign(principal: Principal, case_id: str, party_id: str, body: Sign) -> Signed:
    read = store.load_for(principal, case_id)  # someone else's case is a 404 before anything else
    _own_party(principal, party_id)

    def decide(record: store.CaseRecord) -> list[store.Change]:
        case = record.case
        case_status.ensure_status(
            case.status, case_status.DETERMINED, case_status.DISPUTED, case_status.CONFIRMED, case_status.AGREEMENT_PROPOSED
        )
        if case.status == case_status.AGREEMENT_PROPOSED:
            return _sign_agreement(record, party_id, body)
        return _sign_letter(record, party_id, body)

    record = reconcile(principal, store.mutate(principal, case_id, decide, read=read).record)
    current = record.current_document(documents.AGREEMENT) or record.current_document(documents.LETTER)
    return Signed(
        case_id=case_id,
        party_id=party_id,
        accept=body.accept,
        status=record.case.status,
        document_id=current.document_id if current else None,
    )


def _already(signatures: dict[str, Signature], party_id: str, body: Sign) -> bool:
    """True when this exact answer is on record (a retry); a different answer is a conflict."""
    earlier = signatures.get(party_id)
    if earlier is None:
        return False
    if earlier.accept != body.accept:
        raise Conflict("this party has already answered differently", field="accept", status="SIGNED" if earlier.accept else "REFUSED")
    return True


def _sign_letter(record: store.CaseRecord, party_id: str, body: Sign) -> list[store.Change]:
    case = record.case
    signatures = letters.signatures_of(record)
    if _already(signatures, party_id, body):
        return []
    at = store.iso(store.utcnow())
    signatures[party_id] = _signature(body, at)
    case.signatures = {pid: s.model_dump(mode="json") for pid, s in signatures.items()}
    data = {"partyId": party_id, "accept": body.accept}
    changes = [
        store.Change(
            action="SIGNED" if body.accept else "REFUSED",
            detail={"partyId": party_id, "reason": None if body.accept else body.reason},
            puts=insurer_events(record, "case.signed", data, at),
        )
    ]
    served = serve(record, party_id, at, "SIGNED" if body.accept else "REFUSED", calendars.current())
    if served is not None:
        changes.append(served)
    everyone = [p.party_id for p in record.parties]
    if not body.accept and case.status == case_status.DETERMINED:
        changes.append(
            store.Change(
                action="DISPUTED",
                detail={"deadlines": case.determination.deadlines.model_dump(mode="json", by_alias=True) if case.determination else None},
                new_status=case_status.DISPUTED,
                puts=[*insurer_events(record, "case.disputed", data, at), *notices.to_parties(record, "case.disputed", at)],
            )
        )
    elif case.status == case_status.DETERMINED and all(p in signatures and signatures[p].accept for p in everyone):
        changes.append(store.Change(action="CONFIRMED", new_status=case_status.CONFIRMED))
    return changes


def _sign_agreement(record: store.CaseRecord, party_id: str, body: Sign) -> list[store.Change]:
    case = record.case
    agreement = case.agreement
    if agreement is None:
        raise Conflict("no agreement is proposed on this case", field="status", status=case.status)
    signatures = dict(agreement.signatures)
    if _already(signatures, party_id, body):
        return []
    at = store.iso(store.utcnow())
    signatures[party_id] = _signature(body, at)
    changes = [
        store.Change(
            action="SIGNED" if body.accept else "REFUSED",
            detail={"partyId": party_id, "document": "AGREEMENT", "reason": None if body.accept else body.reason},
            puts=insurer_events(record, "case.signed", {"partyId": party_id, "accept": body.accept, "document": "AGREEMENT"}, at),
        )
    ]
    if body.accept:
        case.agreement = agreement.model_copy(update={"signatures": signatures})
    else:
        # Without everyone's agreement there is no settlement: the police decide (Art.19).
        case.agreement = None
        changes.append(
            store.Change(
                action="AGREEMENT_REFUSED",
                detail={"refusedBy": party_id, "proposal": agreement.scenario},
                new_status=case_status.AWAITING_DETERMINATION,
            )
        )
    return changes


def propose(principal: Principal, case_id: str, body: ProposeAgreement) -> AgreementProposed:
    def decide(record: store.CaseRecord) -> store.Change:
        case = record.case
        case_status.ensure_status(case.status, case_status.AWAITING_DETERMINATION)
        if not store.plain(case.eligibility).get("selfSettlementAllowed"):
            raise Conflict(
                "this accident may not be settled by the parties (Order 146 Art.13/14, or an injury): an officer determines it",
                field="status",
                status=case.status,
            )
        terms = liability_terms.terms(
            record, body.scenario, body.at_fault_party_id, {k: v.value for k, v in body.liabilities.items()}, body.facts
        )
        at = store.iso(store.utcnow())
        proposer = principal.subject or ""
        case.agreement = Agreement(
            **dict(terms), proposed_by=proposer, proposed_at=at, signatures={proposer: Signature(accept=True, at=at)}
        )
        return store.Change(
            action="AGREEMENT_PROPOSED",
            detail={"proposedBy": principal.subject, "scenario": terms.scenario, "liabilities": terms.liabilities},
            new_status=case_status.AGREEMENT_PROPOSED,
            puts=insurer_events(record, "agreement.proposed", {"scenario": terms.scenario, "liabilities": terms.liabilities}, at),
        )

    record = reconcile(principal, store.mutate(principal, case_id, decide).record)
    settled = record.current_document(documents.AGREEMENT)
    return AgreementProposed(
        case_id=case_id,
        status=record.case.status,
        agreement=agreement_view(record.case.agreement) if record.case.agreement is not None else None,
        document_id=settled.document_id if settled else None,
    )


def request_determination(principal: Principal, case_id: str) -> AgreementProposed:
    def decide(record: store.CaseRecord) -> list[store.Change]:
        case = record.case
        if case.status == case_status.AWAITING_DETERMINATION:
            return []  # already in the officer's queue
        case_status.ensure_status(case.status, case_status.AGREEMENT_PROPOSED)
        case.agreement = None
        requested = store.Change(
            action="DETERMINATION_REQUESTED", detail={"by": principal.subject}, new_status=case_status.AWAITING_DETERMINATION
        )
        return [requested]

    store.mutate(principal, case_id, decide)
    return AgreementProposed(case_id=case_id, status=case_status.AWAITING_DETERMINATION)


def agreement_view(agreement: Agreement) -> AgreementView:
    return AgreementView.model_validate(agreement, from_attributes=True)


def reconcile(principal: Principal, record: store.CaseRecord) -> store.CaseRecord:
    """Issue what the signatures call for and is not issued yet; returns the case as it ends."""
    case = record.case
    if case.status == case_status.AGREEMENT_PROPOSED and case.agreement is not None:
        if case.agreement.signed_by_all([p.party_id for p in record.parties]):
            return _settle(principal, record, case.agreement) or record
    elif case.status in (case_status.DISPUTED, case_status.CONFIRMED, case_status.DETERMINED) and case.determination is not None:
        refusals = letters.refusal_lines(record, letters.signatures_of(record))
        if len(refusals) > case.determination.refusals_on_letter:
            return _reissue_letter(principal, record, case.determination, len(refusals)) or record
    return record


def _settle(principal: Principal, record: store.CaseRecord, agreement: Agreement) -> store.CaseRecord | None:
    from chalicelib.documents.render import render_agreement  # PDF drawing loads only where a document is drawn (ADR 0039)

    concluded_at = store.iso(store.utcnow())
    document = documents.draft(
        record.case.case_id,
        documents.AGREEMENT,
        letters.agreement_number(record),
        1,
        None,
        lambda document_id: render_agreement(letters.agreement(record, agreement, document_id, concluded_at)),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        if fresh.case.status != case_status.AGREEMENT_PROPOSED or fresh.case.agreement != agreement:
            return []  # the proposal changed or someone settled it first
        at = store.iso(store.utcnow())
        data = {"liabilities": agreement.liabilities, "documentId": document.document_id}
        settled = store.Change(
            action="SETTLED",
            detail={"documentId": document.document_id, "liabilities": agreement.liabilities},
            new_status=case_status.SETTLED,
            puts=[
                *insurer_events(fresh, "case.settled", data, at),
                *insurer_events(fresh, "document.issued", {"documentId": document.document_id, "kind": documents.AGREEMENT}, at),
                *notices.to_parties(fresh, "case.settled", at),
            ],
        )
        reported = claims.report_change(fresh, {}, at, agreement.liabilities)  # one-click report, automatic
        return [documents.issued(document, at), settled, *([reported] if reported else [])]

    return documents.commit(principal, document, decide)


def _reissue_letter(
    principal: Principal, record: store.CaseRecord, determination: Determination, refusals: int
) -> store.CaseRecord | None:
    from chalicelib.documents.render import render_letter  # PDF drawing loads only where a document is drawn (ADR 0039)

    previous = record.current_document(documents.LETTER)
    revision = int(previous.revision) + 1 if previous else 1
    document = documents.draft(
        record.case.case_id,
        documents.LETTER,
        letters.letter_number(record, revision),
        revision,
        previous.document_id if previous else None,
        lambda document_id: render_letter(letters.letter(record, determination, document_id, revision)),
    )

    def decide(fresh: store.CaseRecord) -> list[store.Change]:
        current = fresh.case.determination
        if current is None or current.refusals_on_letter >= refusals:
            return []  # another request already re-issued it
        fresh.case.determination = current.model_copy(update={"refusals_on_letter": refusals, "letter_document_id": document.document_id})
        at = store.iso(store.utcnow())
        issued = documents.issued(document, at)
        issued.puts.extend(insurer_events(fresh, "document.issued", {"documentId": document.document_id, "kind": documents.LETTER}, at))
        return [issued]

    return documents.commit(principal, document, decide)
