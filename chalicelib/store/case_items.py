"""The items a case is made of, built here so that no service spells a key or an index value.

A service names what it wants ("a new party of this case", "this claim's clock is due then");
these functions choose the partition, the sort key and the index keys that serve the access
patterns listed in `models.py`.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import paging
from chalicelib.store.models import (
    CaseItem,
    ClaimItem,
    ClaimPointer,
    DocumentItem,
    DocumentPointer,
    EvidenceItem,
    PartyItem,
)

CASE_SORT_KEY = "#CASE"


def case_key(case_id: str) -> str:
    return f"CASE#{case_id}"


def queue_key(unit: str, status: str) -> str:
    return f"QUEUE#{unit}#{status}"


def place_in_queue(case: CaseItem, status: str, at: str) -> None:
    """The case's status, and its place in its unit's queue for that status (oldest first)."""
    case.status = status
    case.status_since = at
    case.gsi1pk = queue_key(case.jurisdiction, status)
    case.gsi1sk = f"{at}#{case.case_id}"


def queue(unit: str, status: str, limit: int, next_token: str | None) -> Any:
    """The unit's cases in a status, oldest first, a page at a time (`last_evaluated_key` follows)."""
    return CaseItem.gsi1.query(queue_key(unit, status), scan_index_forward=True, limit=limit, last_evaluated_key=paging.decode(next_token))


def new_case(case_id: str, jurisdiction: str, status: str, reported_at: str, occurred_on: str, **attributes: Any) -> CaseItem:
    """A case in its unit's queue for its status and in its unit's list of the day it occurred."""
    case = CaseItem(
        pk=case_key(case_id),
        sk=CASE_SORT_KEY,
        case_id=case_id,
        jurisdiction=jurisdiction,
        reported_at=reported_at,
        gsi2pk=f"DAY#{jurisdiction}#{occurred_on}",
        gsi2sk=f"{reported_at}#{case_id}",
        **attributes,
    )
    place_in_queue(case, status, reported_at)
    return case


def new_party(case_id: str, party_id: str, person_hash: str, **attributes: Any) -> PartyItem:
    """A party, findable by the keyed hash of the person's ID number (never the number itself)."""
    return PartyItem(
        pk=case_key(case_id),
        sk=f"PARTY#{party_id}",
        case_id=case_id,
        party_id=party_id,
        gsi1pk=f"PERSON#{person_hash}",
        gsi1sk=f"CASE#{case_id}",
        **attributes,
    )


def new_evidence(case_id: str, evidence_id: str, **attributes: Any) -> EvidenceItem:
    return EvidenceItem(pk=case_key(case_id), sk=f"EVIDENCE#{evidence_id}", case_id=case_id, evidence_id=evidence_id, **attributes)


def new_document(case_id: str, document_id: str, **attributes: Any) -> list[Any]:
    """The document's record on its case and the pointer that lets /verify find it by id alone."""
    return [
        DocumentItem(pk=case_key(case_id), sk=f"DOCUMENT#{document_id}", case_id=case_id, document_id=document_id, **attributes),
        DocumentPointer.to(document_id, case_id),
    ]


def new_claim(case_id: str, claim_id: str, insurer_code: str, reported_at: str, **attributes: Any) -> ClaimItem:
    """A claim in its insurer's list, newest last."""
    return ClaimItem(
        pk=case_key(case_id),
        sk=f"CLAIM#{claim_id}",
        case_id=case_id,
        claim_id=claim_id,
        insurer_code=insurer_code,
        reported_at=reported_at,
        gsi3pk=f"INSURER#{insurer_code}",
        gsi3sk=f"{reported_at}#{claim_id}",
        **attributes,
    )


def claim_pointer(claim: ClaimItem) -> ClaimPointer:
    """`CLAIM#<id>` → its case: an insurer's webhook names only the claim."""
    return ClaimPointer.to(claim.claim_id, claim.case_id, insurer_code=claim.insurer_code)


def clock_key(unit: str) -> str:
    return f"CLAIMCLOCK#{unit}"


def set_claim_clock(claim: ClaimItem, unit: str, duty: str | None, due: str | None) -> None:
    """The insurer's next statutory duty, listed for the unit by due date while the claim is open."""
    if duty is None or due is None:
        claim.clock = None
        claim.gsi2pk = claim.gsi2sk = None
        return
    claim.clock = {"duty": duty, "due": due}
    claim.gsi2pk = clock_key(unit)
    claim.gsi2sk = f"{due}#{claim.claim_id}"


def overdue_claims(unit: str, before: str, limit: int) -> list[ClaimItem]:
    """Open claims of the unit whose insurer duty fell due before the given day."""
    return list(ClaimItem.gsi2.query(clock_key(unit), ClaimItem.gsi2sk < before, limit=limit))
