"""One-minute evidence: presigned uploads, server-side verification, the leave-the-scene notice."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from chalicelib import config
from chalicelib.contracts.cases import ChecklistItemView
from chalicelib.contracts.evidence import EvidenceCompleted, EvidenceRequested, EvidenceShot, RequestEvidence, UploadInstruction
from chalicelib.domain import case_status, evidence, file_signatures, geo, ids
from chalicelib.domain.principals import Principal
from chalicelib.errors import ConcurrentUpdate, Conflict, EvidenceMismatch, NotFound, ValidationFailed
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


def _scene(record: store.CaseRecord) -> geo.Point:
    location = record.case.location.as_dict()
    return geo.Point(float(location["lat"]), float(location["lng"]))


def _flag_detail(flags: list[evidence.Flag]) -> list[dict[str, str]]:
    return [flag.model_dump() for flag in flags]


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
        occurred, rules = datetime.fromisoformat(case.occurred_at), _spec()["plausibility"]
        if evidence.captured_too_early(rules, occurred, body.captured_at):
            raise ValidationFailed("is before the accident occurred", field="capturedAt")
        if body.captured_at > store.utcnow() + store.CLOCK_SKEW:
            raise ValidationFailed("is in the future", field="capturedAt")
        # Late or away from the scene: kept and flagged for the officer, not refused (ADR 0015).
        at = geo.Point(body.lat, body.lng)
        flags = evidence.declared_flags(rules, occurred, _scene(record), body.captured_at, at)
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
            flags=flags,
        )
        detail = {
            "evidenceId": evidence_id,
            "kind": body.kind,
            "partyId": party_id,
            "metresFromScene": round(geo.distance_m(_scene(record), at)),
            "flags": _flag_detail(flags),
        }
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


def _mismatch(stored: evidence_store.StoredObject | None, item: EvidenceItem) -> EvidenceMismatch | None:
    if stored is None:
        return None
    if stored.size != item.size:
        return EvidenceMismatch(f"the uploaded file has {stored.size} bytes, {int(item.size)} were declared", field="size")
    if stored.sha256 != item.sha256:
        return EvidenceMismatch("the uploaded file's SHA-256 does not match the declared one", field="sha256")
    if stored.content_type and stored.content_type != item.content_type:
        return EvidenceMismatch(
            f"the file was stored as {stored.content_type}, {item.content_type} was declared", field="contentType"
        )
    if not file_signatures.matches(item.content_type, stored.head):
        # The right bytes, checksummed, but not a picture (a text file named .jpg): the party retakes it.
        topic = "evidence.not_a_video" if item.content_type.startswith("video/") else "evidence.not_a_picture"
        return EvidenceMismatch(
            f"the uploaded bytes are not {item.content_type}", field="contentType", userMessage=notices.TEXTS[topic]
        )
    return None


def _item(record: store.CaseRecord, evidence_id: str) -> EvidenceItem:
    item = record.evidence_item(evidence_id)
    if item is None:
        raise NotFound("no such evidence on this case", field="evidenceId")
    return item


def shot(principal: Principal, case_id: str, evidence_id: str) -> EvidenceShot:
    """Where and when a shot was taken, with a short-lived link to its sealed copy once verified."""
    item = _item(store.load_for(principal, case_id), evidence_id)
    url = expires_at = None
    if item.status == evidence.VERIFIED and item.object_key:
        url, expires = evidence_store.download_url(item.object_key, item.object_version, get_settings().download_url_seconds)
        expires_at = store.iso(expires)
    return EvidenceShot(
        evidence_id=item.evidence_id, kind=item.kind, party_id=item.party_id, status=item.status, captured_at=item.captured_at,
        lat=float(item.lat), lng=float(item.lng), content_type=item.content_type, url=url, expires_at=expires_at,
    )


def complete_upload(principal: Principal, case_id: str, evidence_id: str) -> EvidenceCompleted:
    """Verify, claim, seal once, record (ADR 0006). Each step is a state of the shot (PENDING → SEALING
    → VERIFIED), so a retry after a crash anywhere finishes it. The staging object is left to the
    bucket's lifecycle rule (ADR 0040): the shot is sealed by its verified version, never by its key."""
    record = store.load_for(principal, case_id)
    item = _item(record, evidence_id)
    if item.status == evidence.VERIFIED:
        return _completed(record, evidence_id)
    claim: str | None = None
    for _ in range(store.MAX_ATTEMPTS):
        item = _item(record, evidence_id)
        if item.status == evidence.PENDING:
            record, claim = _claim(principal, record, item)
        elif item.status == evidence.SEALING:
            record = _seal(principal, record, item, claim)
        elif item.status == evidence.REJECTED:
            raise Conflict("this upload was rejected; request a new one", field="evidenceId", status=item.status)
        else:
            return _completed(record, evidence_id)
    raise ConcurrentUpdate("the evidence kept changing while it was completed; retry", field="evidenceId")


def _claim(principal: Principal, record: store.CaseRecord, item: EvidenceItem) -> tuple[store.CaseRecord, str | None]:
    """Check the upload, then claim its sealing on the case (PENDING → SEALING) with a token of ours."""
    case_id, evidence_id, rules = record.case.case_id, item.evidence_id, _spec()["plausibility"]
    limit = int(_spec()["maxBytes"].get(item.content_type, item.size))
    exif_offset = rules["cameraUtcOffset"] if item.content_type == "image/jpeg" else None
    stored = evidence_store.inspect(item.upload_key, limit, exif_offset)
    if stored is None:
        fresh = store.load_for(principal, case_id)  # a concurrent completion may have finished it
        if _item(fresh, evidence_id).status != evidence.PENDING:
            return fresh, None
        raise Conflict("nothing has been uploaded for this evidence yet", field="evidenceId", status=item.status)
    mismatch = _mismatch(stored, item)
    if mismatch:
        reason = mismatch.field or "content"
        rejected = store.mutate(principal, case_id, lambda r: _reject(r, evidence_id, reason), read=record)
        if rejected.result:
            evidence_store.discard(item.upload_key)
        raise mismatch
    at = geo.Point(float(item.lat), float(item.lng))
    flags = evidence.camera_flags(rules, datetime.fromisoformat(item.captured_at), at, stored.camera)
    token = secrets.token_urlsafe(12)
    claimed = store.mutate(principal, case_id, lambda r: _claimed(r, evidence_id, token, stored.version, flags), read=record)
    return claimed.record, claimed.result


def _claimed(
    record: store.CaseRecord, evidence_id: str, token: str, version: str | None, flags: list[evidence.Flag]
) -> list[store.Change]:
    item = _item(record, evidence_id)
    if item.status != evidence.PENDING:
        return []  # another completion claimed or rejected it first
    item.status, item.seal_claim, item.sealing_since = evidence.SEALING, token, store.iso(store.utcnow())
    item.upload_version = version
    item.flags = [*item.flags, *flags]
    detail = {"evidenceId": evidence_id, "flags": _flag_detail(flags)}
    return [store.Change(action="EVIDENCE_SEALING", detail=detail, replaces=[(item, evidence.PENDING)], result=token)]


def _seal(principal: Principal, record: store.CaseRecord, item: EvidenceItem, claim: str | None) -> store.CaseRecord:
    """Copy once (only the claim's holder copies), then record the sealed version.
    A copy already there (its completion crashed before recording it) is recorded, not copied again."""
    case_id, evidence_id = record.case.case_id, item.evidence_id
    retention = get_settings().evidence_retention_days
    target = evidence_store.evidence_key(case_id, evidence_id)
    # Only a claim's holder copies, so the holder of a claim it just made needs no look first.
    copy = None if claim is not None and claim == item.seal_claim else evidence_store.sealed_copy(target)
    if copy is not None:
        version = copy.version
        if not copy.locked:
            evidence_store.lock(target, version, retention)
    else:
        if claim != item.seal_claim:
            taken = store.mutate(principal, case_id, lambda r: _take_over(r, evidence_id, item.seal_claim), read=record)
            if taken.result is None:
                return taken.record  # it moved on meanwhile: look again
            record = taken.record
        version = evidence_store.seal(item.upload_key, item.upload_version, target, retention)
    return store.mutate(principal, case_id, lambda r: _verified(r, evidence_id, version), read=record).record


def _take_over(record: store.CaseRecord, evidence_id: str, seen_claim: str | None) -> list[store.Change]:
    """A claim whose holder made no copy within `sealClaimSeconds` is taken to have crashed."""
    item = _item(record, evidence_id)
    if item.status != evidence.SEALING or item.seal_claim != seen_claim:
        return []
    since = datetime.fromisoformat(item.sealing_since or record.case.occurred_at)
    if store.utcnow() - since < timedelta(seconds=int(_spec()["sealClaimSeconds"])):
        raise Conflict(
            "this shot is being sealed by another request; try again in a moment", field="evidenceId", status=item.status
        )
    token = secrets.token_urlsafe(12)
    item.seal_claim, item.sealing_since = token, store.iso(store.utcnow())
    detail = {"evidenceId": evidence_id, "flags": [], "retry": True}
    return [store.Change(action="EVIDENCE_SEALING", detail=detail, replaces=[(item, evidence.SEALING)], result=token)]


def _reject(record: store.CaseRecord, evidence_id: str, reason: str) -> list[store.Change]:
    item = _item(record, evidence_id)
    if item.status != evidence.PENDING:
        return []  # another completion claimed it first
    item.status = evidence.REJECTED
    detail = {"evidenceId": evidence_id, "kind": item.kind, "partyId": item.party_id, "reason": reason}
    return [store.Change(action="EVIDENCE_REJECTED", detail=detail, replaces=[(item, evidence.PENDING)], result=True)]


def _verified(record: store.CaseRecord, evidence_id: str, version: str) -> list[store.Change]:
    item = _item(record, evidence_id)
    if item.status != evidence.SEALING:
        return []  # someone else recorded it first
    now = store.iso(store.utcnow())
    item.status, item.verified_at = evidence.VERIFIED, now
    item.object_key = evidence_store.evidence_key(record.case.case_id, evidence_id)
    item.object_version = version
    detail = {
        "evidenceId": evidence_id,
        "kind": item.kind,
        "partyId": item.party_id,
        "reason": None,
        "objectVersion": version,
        "flags": _flag_detail(list(item.flags)),
    }
    changes = [store.Change(action="EVIDENCE_VERIFIED", detail=detail, replaces=[(item, evidence.SEALING)], result=True)]
    case = record.case
    if case.status == case_status.EVIDENCE_PENDING and evidence.is_complete(checklist(record)):
        case_status.ensure_move(case.status, case_status.AWAITING_DETERMINATION)
        changes.append(
            store.Change(
                action="EVIDENCE_COMPLETE",
                detail={"notified": [p.party_id for p in record.parties]},
                new_status=case_status.AWAITING_DETERMINATION,
                puts=notices.to_parties(record, "case.leave_scene", now),
                result=True,
            )
        )
    return changes
