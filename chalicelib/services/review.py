"""Review (复核, Order 146 Art.71-79): a party asks within 3 working days of being served, a
supervisor of the jurisdiction decides within 30 days; REDO sends the case back to the officer
queue, whose new letter supersedes the one reviewed (services/determination.py)."""

from __future__ import annotations

from chalicelib.contracts.disputes import DecideReview, RequestReview, ReviewDecided, ReviewView
from chalicelib.domain import case_status, ids
from chalicelib.domain import review as rules
from chalicelib.domain.beijing_time import local
from chalicelib.domain.mediation import MediationStatus
from chalicelib.domain.principals import Principal
from chalicelib.domain.review import Review, ReviewStatus
from chalicelib.errors import Conflict
from chalicelib.services import access, documents, notices
from chalicelib.services.determination import insurer_events
from chalicelib.services.room import messages as room
from chalicelib.services.room.members import party_label
from chalicelib.store import cases as store
from chalicelib.store import disputes


def review_view(review: Review) -> ReviewView:
    return ReviewView.model_validate(review, from_attributes=True)


def request(principal: Principal, case_id: str, body: RequestReview) -> ReviewView:
    read = store.load_for(principal, case_id)  # someone else's case is a 404 before anything else
    party_id = principal.subject or ""
    access.ensure_acts_for(principal, read, party_id, "caseId")

    def decide(record: store.CaseRecord) -> list[store.Change]:
        case = record.case
        if case.review is not None:
            if case.review.requested_by == party_id and case.review.reason == body.reason:
                return []  # a retry of the same request
            raise Conflict("a case is reviewed once (Order 146 Art.71)", field="caseId", status=case.status)
        determination = case.determination
        if determination is None or case.status not in case_status.LETTER_STANDS | case_status.MEDIATION_OPEN:
            raise Conflict(f"the case is {case.status}: review is asked of a letter served", field="status", status=case.status)
        now = store.utcnow()
        rules.ensure_in_time(local(store.iso(now)).date(), rules.own_deadlines(determination, party_id))
        case_status.ensure_move(case.status, case_status.UNDER_REVIEW)
        at = store.iso(now)
        letter = record.current_document(documents.LETTER)
        review = Review(
            review_id=ids.new_review_id(),
            requested_by=party_id,
            reason=body.reason,
            requested_at=at,
            request_deadline=rules.own_deadlines(determination, party_id).review_by,
            decide_by=rules.decide_by(local(at).date()).isoformat(),
            letter_document_id=letter.document_id if letter else None,
            resume_status=case.status,
        )
        case.review = review
        shown = room.announce(record, "review.requested", at, party=party_label(record, party_id), decide_by=notices.day(review.decide_by))
        return [shown, store.Change(
            action="REVIEW_REQUESTED",
            detail={"reviewId": review.review_id, "partyId": party_id, "decideBy": review.decide_by,
                    "suspends": case.status if case.status in case_status.MEDIATION_OPEN else None},
            new_status=case_status.UNDER_REVIEW,
            puts=[disputes.review_pointer(review.review_id, case_id), *notices.to_parties(record, "review.requested", at,
                                                                                          decide_by=notices.day(review.decide_by))],
        )]

    applied = store.mutate(principal, case_id, decide, read=read)
    review = applied.record.case.review
    assert review is not None
    return review_view(review)


def decide(principal: Principal, review_id: str, body: DecideReview) -> ReviewDecided:
    case_id = disputes.case_of_review(review_id)

    def apply(record: store.CaseRecord) -> list[store.Change]:
        case = record.case
        review = case.review
        if review is None or review.review_id != review_id:
            raise Conflict("this review is not the case's current one", field="reviewId", status=case.status)
        outcome = ReviewStatus(body.outcome.value)
        if review.status is not ReviewStatus.PENDING:
            if review.status is outcome and review.outcome_reasoning == body.reasoning:
                return []  # a retry of the same decision
            raise Conflict(f"the review was already decided: {review.status.value}", field="outcome", status=case.status)
        at = store.iso(store.utcnow())
        late = local(at).date().isoformat() > review.decide_by
        case.review = review.model_copy(update={
            "status": outcome, "outcome_reasoning": body.reasoning, "decided_at": at, "decided_by": principal.audit_name,
            "decided_late": late,
        })
        detail = {"reviewId": review_id, "outcome": outcome.value, "late": late}
        if outcome is ReviewStatus.UPHELD:
            resumed = review.resume_status if review.resume_status in case_status.MEDIATION_OPEN else case_status.REVIEWED
            return [room.announce(record, "review.upheld", at),
                    store.Change(action="REVIEW_UPHELD", detail=detail, new_status=resumed,
                                 puts=notices.to_parties(record, "review.upheld", at))]
        return _redo(record, detail, at)

    applied = store.mutate(principal, case_id, apply)
    case = applied.record.case
    assert case.review is not None
    return ReviewDecided(case_id=case_id, status=case.status, review=review_view(case.review))


def _redo(record: store.CaseRecord, detail: dict, at: str) -> list[store.Change]:
    """Back to the officer queue: the answers to the reviewed letter and a mediation asked about it
    end with it; the new letter supersedes it (revision + 1) and is served anew."""
    case = record.case
    case.signatures = {}
    changes = [room.announce(record, "review.redo", at), store.Change(
        action="REVIEW_REDO", detail=detail, new_status=case_status.AWAITING_DETERMINATION,
        puts=[*notices.to_parties(record, "review.redo", at),
              *insurer_events(record, "review.redo", {"reviewId": detail["reviewId"]}, at)],
    )]
    mediation = case.mediation
    if mediation is not None and mediation.status in (MediationStatus.ASKING, MediationStatus.REQUESTED, MediationStatus.SCHEDULED):
        case.mediation = mediation.model_copy(update={"status": MediationStatus.CANCELLED, "ended_at": at})
        changes.append(store.Change(action="MEDIATION_CANCELLED", detail={"mediationId": mediation.mediation_id}))
    return changes
