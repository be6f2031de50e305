"""The items a case is made of, built here so that no service spells a key or an index value.

A service names what it wants ("a new party of this case", "this claim's clock is due then");
these functions choose the partition, the sort key and the index keys that serve the access
patterns listed in `models.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.attributes import MapAttribute

from chalicelib.domain.claim import Claim
from chalicelib.domain.decisions import Determination
from chalicelib.store import index_reads, paging
from chalicelib.store.models import (
    CaseItem,
    ClaimItem,
    ClaimPointer,
    DeterminationItem,
    DocumentItem,
    DocumentPointer,
    EvidenceItem,
    PartyItem,
)

CASE_SORT_KEY = "#CASE"
DETERMINATION_SORT_KEY = "#DETERMINATION"


def case_key(case_id: str) -> str:
    return f"CASE#{case_id}"


# The cases' partitions and the day lists of gsi2, as IAM `dynamodb:LeadingKeys` patterns
# (infra/cdk/report_rebuild.py: the rebuild reads both).
LEADING_KEYS = case_key("*")
DAY_LEADING_KEYS = "DAY#*"


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
        gsi2pk=day_key(jurisdiction, occurred_on),
        gsi2sk=f"{reported_at}#{case_id}",
        **attributes,
    )
    place_in_queue(case, status, reported_at)
    return case


def determination_item(case_id: str, determination: Determination) -> DeterminationItem:
    """The determination on an item of its own in the case's partition (the case Query reads it)."""
    return DeterminationItem(pk=case_key(case_id), sk=DETERMINATION_SORT_KEY, case_id=case_id, determination=determination)


def day_key(unit: str, occurred_on: str) -> str:
    return f"DAY#{unit}#{occurred_on}"


def cases_on_day(unit: str, occurred_on: str) -> list[str]:
    """The ids of the unit's cases that occurred on a day (gsi2), oldest report first."""
    return [case.case_id for case in CaseItem.gsi2.query(day_key(unit, occurred_on))]


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


def claim_item(claim: Claim, unit: str) -> ClaimItem:
    """The stored claim: in its insurer's list, and in the unit's insurer-clock list while a duty is due."""
    item = ClaimItem(
        pk=case_key(claim.case_id),
        sk=f"CLAIM#{claim.claim_id}",
        gsi3pk=f"INSURER#{claim.insurer_code}",
        gsi3sk=f"{claim.reported_at}#{claim.claim_id}",
        **{name: getattr(claim, name) for name in Claim.model_fields},
    )
    if claim.clock is not None:
        item.gsi2pk = clock_key(unit)
        item.gsi2sk = f"{claim.clock.due}#{claim.claim_id}"
    return item


def claim_of(item: ClaimItem) -> Claim:
    return Claim.model_validate({name: _plain(getattr(item, name, None)) for name in Claim.model_fields})


def claim_pointer(claim: ClaimItem) -> ClaimPointer:
    """`CLAIM#<id>` → its case: an insurer's webhook names only the claim."""
    return ClaimPointer.to(claim.claim_id, claim.case_id, insurer_code=claim.insurer_code)


def clock_key(unit: str) -> str:
    return f"CLAIMCLOCK#{unit}"


def overdue_claims(unit: str, before: str, limit: int) -> list[Claim]:
    """Open claims of the unit whose insurer duty fell due before the given day."""
    overdue = index_reads.whole(ClaimItem, ClaimItem.gsi2, clock_key(unit), ClaimItem.gsi2sk < before, limit=limit)
    return [claim_of(item) for item in overdue]


def claims_falling_due(unit: str, first: date, before: date) -> list[Claim]:
    """Open claims of the unit whose insurer duty's last day is from `first` to the day before `before`
    (one Query of the insurer-clock index, every page)."""
    falling_due = ClaimItem.gsi2sk.between(first.isoformat(), before.isoformat())
    return [claim_of(item) for item in index_reads.whole(ClaimItem, ClaimItem.gsi2, clock_key(unit), falling_due)]


def _plain(value: Any) -> Any:
    """A loaded map or list of maps as plain values (domain records validate from those)."""
    if isinstance(value, MapAttribute):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(entry) for entry in value]
    return value
