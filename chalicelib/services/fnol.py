"""The first notice of loss an insurer receives: its own customer in full, others only as the
letter shows them to any party (masked), and links that expire."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import evidence, masking
from chalicelib.domain.claim import Claim
from chalicelib.integrations import document_store, evidence_store
from chalicelib.settings import get_settings
from chalicelib.store import cases as store


def party_for_insurer(party: Any, insured: bool, liabilities: dict[str, str]) -> dict[str, Any]:
    """An insurer's own customer in full; anyone else as any other party sees them (masked)."""
    vehicle = store.plain(party.vehicle)
    return {
        "partyId": party.party_id,
        "label": evidence.party_label(int(party.position)),
        "insured": insured,
        "kind": party.kind,
        "name": party.name if insured else masking.mask_name(party.name),
        "phone": party.phone if insured else masking.mask_phone(party.phone),
        "idNumber": party.id_number if insured else masking.mask_id_number(party.id_number),
        "plate": vehicle.get("plate"),
        "vehicleType": vehicle.get("type"),
        "insurerCode": vehicle.get("insurerCode"),
        "policyNo": vehicle.get("policyNo") if insured else None,
        "liability": liabilities.get(party.party_id),
    }


def first_notice(record: store.CaseRecord, claim: Claim) -> dict[str, Any]:
    case = record.case
    seconds = get_settings().evidence_link_seconds
    terms = case.determination or case.agreement
    liabilities = terms.liabilities if terms is not None else {}
    parties = [party_for_insurer(p, p.party_id == claim.party_id, liabilities) for p in record.parties]
    shots = []
    for item in record.evidence:
        if item.status == evidence.VERIFIED and item.object_key:
            url, expires = evidence_store.download_url(item.object_key, item.object_version, seconds)
            shots.append({"kind": item.kind, "partyId": item.party_id, "sha256": item.sha256, "url": url, "expiresAt": store.iso(expires)})
    documents = []
    for kind in ("LIABILITY_LETTER", "AGREEMENT"):
        document = record.current_document(kind)
        if document is not None:
            url, expires = document_store.download_url(document.object_key, document.object_version)
            documents.append(
                {"documentId": document.document_id, "kind": kind, "number": document.number, "sha256": document.sha256,
                 "url": url, "expiresAt": store.iso(expires)}
            )
    return {
        "claimId": claim.claim_id,
        "caseId": case.case_id,
        "policyNo": claim.policy_no,
        "occurredAt": case.occurred_at,
        "reportedAt": case.reported_at,
        "location": store.plain(case.location),
        "weather": case.weather,
        "injuries": bool(case.injuries),
        "scenario": terms.scenario if terms else None,
        "accidentForm": terms.accident_form if terms else None,
        "facts": terms.facts if terms else None,
        "liability": claim.liability,
        "limits": claim.limits.model_dump(by_alias=True),
        "mutualSelfPay": bool(claim.mutual_self_pay),
        "declaredLoss": int(claim.declared_loss) if claim.declared_loss is not None else None,
        "parties": parties,
        "evidence": shots,
        "documents": documents,
    }
