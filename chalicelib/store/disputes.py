"""Reviews and mediations are kept on their case item; these pointers let a route that names only
the review or the mediation (`/reviews/{id}`, `/mediation/{id}`) find the case."""

from __future__ import annotations

from chalicelib.errors import NotFound
from chalicelib.store.models import _CasePointer


class ReviewPointer(_CasePointer):
    """`REVIEW#<id>` → its case."""

    KIND = "REVIEW"


class MediationPointer(_CasePointer):
    """`MEDIATION#<id>` → its case."""

    KIND = "MEDIATION"


def review_pointer(review_id: str, case_id: str) -> ReviewPointer:
    return ReviewPointer.to(review_id, case_id)


def mediation_pointer(mediation_id: str, case_id: str) -> MediationPointer:
    return MediationPointer.to(mediation_id, case_id)


def _case_of(pointer: _CasePointer | None, what: str) -> str:
    if pointer is None:
        raise NotFound(f"no such {what}", field=f"{what}Id")
    return pointer.case_id


def case_of_review(review_id: str) -> str:
    return _case_of(ReviewPointer.lookup(review_id), "review")


def case_of_mediation(mediation_id: str) -> str:
    return _case_of(MediationPointer.lookup(mediation_id), "mediation")
