"""The case aggregate: one Query reads its current state, one TransactWrite changes it.

Every change appends a hash-chained audit entry (on the log's own partition, `store.audit`) whose
head lives on the versioned case item, so concurrent writers are serialised by the version check
and retried here, never lost; the read costs the case's state, not its history.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain import jurisdiction
from chalicelib.domain.claim import Claim
from chalicelib.domain.decisions import Determination
from chalicelib.domain.medical import MedicalApplication
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import ConcurrentUpdate, IdempotencyKeyReused, NotFound
from chalicelib.store import audit, case_items, report_counters
from chalicelib.store import medical as medical_items
from chalicelib.store.case_items import case_key, place_in_queue
from chalicelib.store.models import (
    CaseItem,
    ClaimItem,
    DeterminationItem,
    DocumentItem,
    EvidenceItem,
    HandoffItem,
    IdempotencyItem,
    PartyItem,
    RescueOrderItem,
)

T = TypeVar("T")
MAX_ATTEMPTS = 8
# How far a reporting phone's clock may run ahead of ours before a time counts as future.
CLOCK_SKEW = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass
class CaseRecord:
    case: CaseItem
    parties: list[PartyItem] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    documents: list[DocumentItem] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    rescues: list[RescueOrderItem] = field(default_factory=list)
    handoffs: list[HandoffItem] = field(default_factory=list)
    medical: list[MedicalApplication] = field(default_factory=list)
    # The determination as its own item holds it: a write stores it again only when it changed.
    stored_determination: Determination | None = field(default=None, repr=False)

    def rescue(self, order_id: str) -> RescueOrderItem | None:
        return next((r for r in self.rescues if r.order_id == order_id), None)

    def medical_application(self, application_id: str) -> MedicalApplication | None:
        return next((a for a in self.medical if a.application_id == application_id), None)

    def party(self, party_id: str) -> PartyItem | None:
        return next((p for p in self.parties if p.party_id == party_id), None)

    def insurer_codes(self) -> list[str]:
        """The insurers of the case's vehicles, once each, in the order the parties were reported."""
        codes = (p.vehicle.as_dict().get("insurerCode") for p in self.parties if p.vehicle is not None)
        return list(dict.fromkeys(code for code in codes if code))

    def evidence_item(self, evidence_id: str) -> EvidenceItem | None:
        return next((e for e in self.evidence if e.evidence_id == evidence_id), None)

    def document(self, document_id: str) -> DocumentItem | None:
        return next((d for d in self.documents if d.document_id == document_id), None)

    def claim(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.claim_id == claim_id), None)

    def insured_by(self, insurer_code: str) -> list[PartyItem]:
        return [p for p in self.parties if p.vehicle is not None and p.vehicle.as_dict().get("insurerCode") == insurer_code]

    def current_document(self, kind: str) -> DocumentItem | None:
        """The latest revision of a kind of document (a re-issued letter supersedes the first)."""
        issued = [d for d in self.documents if d.kind == kind]
        return max(issued, key=lambda d: int(d.revision)) if issued else None


@dataclass
class Change:
    """What a decision does to a case: one audit entry, maybe a new status, items to write."""

    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    new_status: str | None = None
    puts: list[Any] = field(default_factory=list)  # new items (models): must not exist yet
    # (existing item, what it must still be: the status it was read with, or a condition, or None)
    replaces: list[tuple[Any, Any]] = field(default_factory=list)
    result: Any = None


@dataclass
class Applied:
    """What `mutate` did: the decision's result and the case as written (no need to read it again)."""

    result: Any
    record: CaseRecord


def _connection() -> Any:
    return CaseItem._get_connection().connection


# The items on a case's partition besides the case itself: sort-key prefix → model, CaseRecord field.
_MEMBERS: dict[str, tuple[type[Model], str]] = {
    "PARTY": (PartyItem, "parties"),
    "EVIDENCE": (EvidenceItem, "evidence"),
    "DOCUMENT": (DocumentItem, "documents"),
    "CLAIM": (ClaimItem, "claims"),
    "RESCUE": (RescueOrderItem, "rescues"),
    "HANDOFF": (HandoffItem, "handoffs"),
    medical_items.SORT_PREFIX: (medical_items.MedicalApplicationItem, "medical"),
}


def load(case_id: str) -> CaseRecord:
    """The case's current state in one strongly consistent Query on its partition (its audit log
    and, later, its room live on partitions of their own, so this does not grow with its history)."""
    case: CaseItem | None = None
    determination: Determination | None = None
    found: dict[str, list[Any]] = {field: [] for _, field in _MEMBERS.values()}
    last_key = None
    while True:
        page = _connection().query(
            CaseItem.Meta.table_name,
            case_key(case_id),
            consistent_read=True,
            exclusive_start_key=last_key,
        )
        for raw in page.get("Items", []):
            sort_key = raw["sk"]["S"]
            if sort_key == "#CASE":
                case = CaseItem.from_raw_data(raw)
            elif sort_key == case_items.DETERMINATION_SORT_KEY:
                determination = DeterminationItem.from_raw_data(raw).determination
            elif member := _MEMBERS.get(sort_key.split("#", 1)[0]):
                model, field_name = member
                found[field_name].append(model.from_raw_data(raw))
        last_key = page.get("LastEvaluatedKey")
        if not last_key:
            break
    if case is None:
        raise NotFound("no such case", field="caseId")
    if determination is not None:  # else a case written before keeps it on the case item, moved on its next write
        case.determination = determination
    return CaseRecord(
        case,
        parties=sorted(found["parties"], key=lambda p: p.position),
        evidence=found["evidence"],
        documents=sorted(found["documents"], key=lambda d: d.issued_at),
        claims=sorted((case_items.claim_of(c) for c in found["claims"]), key=lambda c: c.claim_id),
        rescues=sorted(found["rescues"], key=lambda r: int(r.seq)),
        handoffs=found["handoffs"],
        medical=sorted((medical_items.application_of(a) for a in found["medical"]), key=lambda a: a.requested_at),
        stored_determination=determination,
    )


def authorise(principal: Principal, record: CaseRecord) -> None:
    """A caller who may not see the case is told it does not exist (404), never that it is forbidden."""
    if principal.role is Role.PARTY:
        party = record.party(principal.subject or "")
        allowed = principal.case_id == record.case.case_id and party is not None and party.token_id == principal.token_id
    elif principal.is_police:
        allowed = jurisdiction.covers(principal.jurisdiction, record.case.jurisdiction)
    elif principal.role is Role.WECHAT_USER:
        allowed = any(p.openid == principal.subject for p in record.parties)
    elif principal.role is Role.INSURER:
        allowed = bool(principal.org) and bool(record.insured_by(principal.org or ""))
    elif principal.role is Role.TOW:
        allowed = bool(principal.org) and any(_involves_truck(order, principal.org or "") for order in record.rescues)
    elif principal.role is Role.FUND:
        allowed = jurisdiction.covers(principal.jurisdiction, record.case.jurisdiction)  # its fund applications only (routes)
    elif principal.role is Role.HOSPITAL:
        allowed = bool(principal.org) and any(_sends_patient_to(a, principal.org or "") for a in record.medical)
    elif principal.role is Role.SYSTEM:
        allowed = True  # a workflow step: never carried by a token (tokens.read refuses the role)
    else:
        allowed = False
    if not allowed:
        raise NotFound("no such case", field="caseId")


def _involves_truck(order: RescueOrderItem, truck_id: str) -> bool:
    """A tow driver sees an order offered to or taken by their truck."""
    return order.truck_id == truck_id or any(offer.truck_id == truck_id for offer in order.offers)


def _sends_patient_to(application: MedicalApplication, hospital_code: str) -> bool:
    """A hospital takes part in a case once police approved sending an injured person there."""
    return application.hospital_code == hospital_code and application.approved_at is not None


def load_for(principal: Principal, case_id: str) -> CaseRecord:
    record = load(case_id)
    authorise(principal, record)
    return record


def _write(case: CaseItem, principal: Principal, changes: list[Change], extra: list[Model], at: str | None = None,
           stored_determination: Determination | None = None) -> None:
    at = at or iso(utcnow())
    items: list[Model] = list(extra)
    for change in changes:
        if change.new_status:
            place_in_queue(case, change.new_status, at)
        items.append(audit.append(case, principal.audit_name, change.action, change.detail, at))
        items.extend(stored for put in change.puts for stored in _stored(put, case, new=True))
    with TransactWrite(connection=_connection()) as transaction:
        _save_case(transaction, case)  # the version condition serialises writers of this case
        if case.determination is not None and case.determination != stored_determination:
            transaction.save(case_items.determination_item(case.case_id, case.determination))
        for item in items:
            transaction.save(item, condition=item.__class__.pk.does_not_exist())  # type: ignore[attr-defined]
        for change in changes:
            for replaced, expected in change.replaces:
                item = _stored(replaced, case, new=False)[0]
                transaction.save(item, condition=_still(item, expected))
        report_counters.record(transaction, case, changes, at)  # the figures move with the change, once


def _save_case(transaction: TransactWrite, case: CaseItem) -> None:
    """The case item without its determination: that has an item of its own, written when it changes,
    so the case item rewritten with every change stays under 1 KB (ADR 0040)."""
    determination, case.determination = case.determination, None
    try:
        transaction.save(case)
    finally:
        case.determination = determination


def _stored(value: Any, case: CaseItem, new: bool) -> list[Model]:
    """The items that store a domain object of the case (a new one with its pointer), or the item itself."""
    if isinstance(value, Claim):
        item = case_items.claim_item(value, case.jurisdiction)
        return [item, case_items.claim_pointer(item)] if new else [item]
    if isinstance(value, MedicalApplication):
        application = medical_items.application_item(value)
        return [application, medical_items.pointer(value)] if new else [application]
    return [value]


def _still(item: Model, expected: Any) -> Any:
    """A status the item was read with becomes the condition that nobody moved it meanwhile."""
    return type(item).status == expected if isinstance(expected, str) else expected  # type: ignore[attr-defined]


def _conflicted(error: TransactWriteError) -> bool:
    return any(r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons)


# A writer that lost to another is retried on fresh data: its version condition failed, or (in AWS,
# when two transactions touch one item at the same moment) DynamoDB cancelled it as a conflict.
_LOST_TO_ANOTHER_WRITER = frozenset({"ConditionalCheckFailed", "TransactionConflict"})


def _lost_to_another_writer(error: TransactWriteError) -> bool:
    return any(r is not None and r.code in _LOST_TO_ANOTHER_WRITER for r in error.cancellation_reasons)


def _include(record: CaseRecord, changes: list[Change]) -> None:
    """Add the new members a write put on the case to the in-memory record, as a re-read would."""
    by_model: dict[type, str] = {model: field_name for model, field_name in _MEMBERS.values()} | {Claim: "claims"}
    by_model[MedicalApplication] = "medical"
    for change in changes:
        for item in change.puts:
            if (field_name := by_model.get(type(item))) is not None:
                getattr(record, field_name).append(item)


def mutate(
    principal: Principal,
    case_id: str,
    decide: Callable[[CaseRecord], Change | list[Change]],
    read: CaseRecord | None = None,
    *,
    may: Callable[[Principal, CaseRecord], None] = authorise,
    attempts: int = MAX_ATTEMPTS,
) -> Applied:
    """Read, decide, write; on a concurrent change re-read and decide again.

    `read` is the case as the caller just read it for this principal, saving the first read.
    `may` checks the caller against each read (a case room admits more callers than the case).
    `attempts` bounds the re-reads: a busy case room has many writers at once.
    The record returned is the case as written (or as read, when the decision changed nothing)."""
    for attempt in range(attempts):
        if attempt == 0 and read is not None:
            record = read
        else:
            record = load(case_id)
            may(principal, record)
        decided = decide(record)
        changes = decided if isinstance(decided, list) else [decided]
        if not changes:
            return Applied(None, record)
        try:
            _write(record.case, principal, changes, [], stored_determination=record.stored_determination)
        except TransactWriteError as error:
            if _lost_to_another_writer(error):
                continue
            raise
        _include(record, changes)
        record.stored_determination = record.case.determination
        return Applied(changes[-1].result, record)
    raise ConcurrentUpdate("the case kept changing while this request was applied; retry", field="caseId")


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _idempotency_item(principal: Principal, key: str) -> IdempotencyItem:
    return IdempotencyItem(pk=f"IDEMPOTENCY#{principal.role.value}:{principal.subject}#{key}", sk="#IDEMPOTENCY")


def replayed_case_id(principal: Principal, key: str, fingerprint: str) -> str | None:
    """The case a previous request with this key created, if any (the same body is required)."""
    try:
        item = IdempotencyItem.get(_idempotency_item(principal, key).pk, "#IDEMPOTENCY", consistent_read=True)
    except IdempotencyItem.DoesNotExist:
        return None
    if item.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different request body", field="Idempotency-Key"
        )
    return item.result_id


def create(
    principal: Principal,
    case: CaseItem,
    parties: list[PartyItem],
    change: Change,
    idempotency: tuple[str, str, int] | None,
) -> bool:
    """Write a new case with its parties and first audit entry; False if the idempotency key won.

    `idempotency` is (key, request fingerprint, hours to keep it); its record is written in
    the same transaction, so a retried request can never create a second case.
    """
    extra: list[Model] = list(parties)
    if idempotency:
        key, fingerprint, hours = idempotency
        record = _idempotency_item(principal, key)
        record.result_id = case.case_id
        record.request_hash = fingerprint
        record.expires_at = utcnow() + timedelta(hours=hours)
        extra.append(record)
    try:
        _write(case, principal, [change], extra, at=case.reported_at)
    except TransactWriteError as error:
        if idempotency and _conflicted(error):
            return False
        raise
    return True


def plain(attribute: Any) -> dict[str, Any]:
    """A map attribute as a plain dict, whether just loaded (MapAttribute) or just set (dict)."""
    if attribute is None:
        return {}
    return attribute.as_dict() if hasattr(attribute, "as_dict") else dict(attribute)


def plain_list(attribute: Any) -> list[dict[str, Any]]:
    """A list of maps as plain dicts, whether just loaded or just set."""
    return [plain(entry) if not isinstance(entry, dict) else dict(entry) for entry in (attribute or [])]
