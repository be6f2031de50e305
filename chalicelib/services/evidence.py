"""One-minute evidence: presigned uploads, server-side verification, the leave-the-scene notice."""

from __future__ import annotations

import math
from datetime import datetime

from chalicelib import config
from chalicelib.contracts.cases import ChecklistItemView
from chalicelib.contracts.evidence import EvidenceCompleted, EvidenceRequested, RequestEvidence, UploadInstruction
from chalicelib.domain import case_status, evidence, ids
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, EvidenceMismatch, NotFound, ValidationFailed
from chalicelib.integrations import evidence_store
from chalicelib.services import notices
from chalicelib.settings import get_settings
from chalicelib.store import case_items
from chalicelib.store import cases as store
from chalicelib.store.models import EvidenceItem


def _spec() -> dict:
    return config.load("evidence")


def vehicles(record: store.CaseRecord) -> list[evidence.VehicleRef]:
    return [evidence.VehicleRef(p.party_id, int(p.position)) for p in record.parties if p.vehicle is not None]


def checklist(record: store.CaseRecord) -> list[evidence.ChecklistItem]:
    refs = [
        evidence.EvidenceRef(e.evidence_id, e.kind, e.party_id, e.status, e.requested_at) for e in record.evidence
    ]
    return evidence.checklist(_spec(), vehicles(record), refs)


def checklist_view(items: list[evidence.ChecklistItem]) -> list[ChecklistItemView]:
    return [ChecklistItemView.model_validate(i, from_attributes=True) for i in items]


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance; enough to tell a photo taken at the scene from one taken elsewhere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def request_upload(principal: Principal, case_id: str, body: RequestEvidence) -> EvidenceRequested:
    field, reason = evidence.size_limit_error(_spec(), body.content_type, body.size)
    if field:
        raise ValidationFailed(reason or "", field=field)
    evidence_id = ids.new_evidence_id()

    def decide(record: store.CaseRecord) -> store.Change:
        case = record.case
        if not case_status.accepts_evidence(case.status):
            raise Conflict(f"the case is {case.status} and takes no more evidence", field="status", status=case.status)
        party_id, error = evidence.resolve_slot(_spec(), vehicles(record), body.kind, body.party_id)
        if error:
            raise ValidationFailed(error, field="partyId" if "partyId" in error else "kind")
        occurred = datetime.fromisoformat(case.occurred_at)
        if body.captured_at < occurred - store.CLOCK_SKEW:
            raise ValidationFailed("is before the accident occurred", field="capturedAt")
        if body.captured_at > store.utcnow() + store.CLOCK_SKEW:
            raise ValidationFailed("is in the future", field="capturedAt")
        item = case_items.new_evidence(
            case.case_id,
            evidence_id,
            kind=body.kind,
            party_id=party_id,
            content_type=body.content_type,
            size=body.size,
            sha256=body.sha256.lower(),
            captured_at=body.captured_at.isoformat(),
            lat=body.lat,
            lng=body.lng,
            status=evidence.PENDING,
            upload_key=evidence_store.upload_key(case.case_id, evidence_id),
            requested_by=principal.audit_name,
            requested_at=store.iso(store.utcnow()),
        )
        location = case.location.as_dict()
        distance = round(_metres(location["lat"], location["lng"], body.lat, body.lng))
        detail = {"evidenceId": evidence_id, "kind": body.kind, "partyId": party_id, "metresFromScene": distance}
        return store.Change(action="EVIDENCE_REQUESTED", detail=detail, puts=[item], result=item)

    item: EvidenceItem = store.mutate(principal, case_id, decide).result
    upload = evidence_store.presign_upload(item.upload_key, item.content_type, int(item.size), item.sha256)
    return EvidenceRequested(
        evidence_id=evidence_id,
        upload=UploadInstruction(url=upload.url, headers=upload.headers, expires_at=store.iso(upload.expires_at)),
    )


def _completed(record: store.CaseRecord, evidence_id: str) -> EvidenceCompleted:
    items = checklist(record)
    found = record.evidence_item(evidence_id)
    return EvidenceCompleted(
        evidence_id=evidence_id,
        status=found.status if found else evidence.PENDING,
        case_status=record.case.status,
        complete=evidence.is_complete(items),
        checklist=checklist_view(items),
    )


def _mismatch(stored: evidence_store.StoredObject | None, item: EvidenceItem) -> tuple[str, str] | None:
    if stored is None:
        return None
    if stored.size != item.size:
        return "size", f"the uploaded file has {stored.size} bytes, {int(item.size)} were declared"
    if stored.sha256 != item.sha256:
        return "sha256", "the uploaded file's SHA-256 does not match the declared one"
    if stored.content_type and stored.content_type != item.content_type:
        return "contentType", f"the file was stored as {stored.content_type}, {item.content_type} was declared"
    return None


def complete_upload(principal: Principal, case_id: str, evidence_id: str) -> EvidenceCompleted:
    record = store.load_for(principal, case_id)
    item = record.evidence_item(evidence_id)
    if item is None:
        raise NotFound("no such evidence on this case", field="evidenceId")
    if item.status == evidence.VERIFIED:
        return _completed(record, evidence_id)
    if item.status == evidence.REJECTED:
        raise Conflict("this upload was rejected; request a new one", field="evidenceId", status=item.status)

    limit = int(_spec()["maxBytes"].get(item.content_type, item.size))
    stored = evidence_store.inspect(item.upload_key, limit)
    if stored is None:
        record = store.load_for(principal, case_id)  # a concurrent completion may have sealed it
        if (found := record.evidence_item(evidence_id)) is not None and found.status == evidence.VERIFIED:
            return _completed(record, evidence_id)
        raise Conflict("nothing has been uploaded for this evidence yet", field="evidenceId", status=item.status)
    mismatch = _mismatch(stored, item)
    if mismatch:
        evidence_store.discard(item.upload_key)
        store.mutate(principal, case_id, lambda r: _resolve(r, evidence_id, evidence.REJECTED, None, mismatch[0]))
        raise EvidenceMismatch(mismatch[1], field=mismatch[0])

    version = evidence_store.seal(
        item.upload_key, evidence_store.evidence_key(case_id, evidence_id), get_settings().evidence_retention_days
    )
    written = store.mutate(principal, case_id, lambda r: _resolve(r, evidence_id, evidence.VERIFIED, version, None), read=record)
    return _completed(written.record, evidence_id)


def _resolve(
    record: store.CaseRecord, evidence_id: str, outcome: str, version: str | None, reason: str | None
) -> list[store.Change]:
    item = record.evidence_item(evidence_id)
    if item is None or item.status != evidence.PENDING:
        return []  # someone else resolved it first: nothing left to do
    item.status = outcome
    now = store.iso(store.utcnow())
    if outcome == evidence.VERIFIED:
        item.object_key = evidence_store.evidence_key(record.case.case_id, evidence_id)
        item.object_version = version
        item.verified_at = now
    action = "EVIDENCE_VERIFIED" if outcome == evidence.VERIFIED else "EVIDENCE_REJECTED"
    detail = {"evidenceId": evidence_id, "kind": item.kind, "partyId": item.party_id, "reason": reason}
    changes = [store.Change(action=action, detail=detail, replaces=[(item, evidence.PENDING)])]
    case = record.case
    if outcome == evidence.VERIFIED and case.status == case_status.EVIDENCE_PENDING and evidence.is_complete(checklist(record)):
        case_status.ensure_move(case.status, case_status.AWAITING_DETERMINATION)
        changes.append(
            store.Change(
                action="EVIDENCE_COMPLETE",
                detail={"notified": [p.party_id for p in record.parties]},
                new_status=case_status.AWAITING_DETERMINATION,
                puts=notices.to_parties(record, "case.leave_scene", now),
            )
        )
    return changes
