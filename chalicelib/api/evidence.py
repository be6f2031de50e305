"""Evidence uploads: a presigned PUT, then completion verified by the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import NamesParty, operation
from chalicelib.domain.principals import POLICE, Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.evidence import EvidenceCompleted, EvidenceRequested, EvidenceShot, RequestEvidence

blueprint = Blueprint(__name__)
UPLOADERS = frozenset({Role.PARTY}) | POLICE
EVIDENCE = "chalicelib.contracts.evidence"


@operation(
    blueprint, "/cases/{caseId}/evidence", "POST",
    summary="Declare a shot and get a presigned upload for it",
    roles=UPLOADERS, body=f"{EVIDENCE}:RequestEvidence", reply=f"{EVIDENCE}:EvidenceRequested", status=201,
    names_party=NamesParty("partyId", own_only=False),
)
def request_evidence(principal: Principal, case_id: str, body: RequestEvidence) -> EvidenceRequested:
    from chalicelib.services import evidence

    return evidence.request_upload(principal, case_id, body)


@operation(
    blueprint, "/cases/{caseId}/evidence/{evidenceId}/complete", "POST",
    summary="Verify the uploaded shot (size, SHA-256) and seal it write-once",
    roles=UPLOADERS, reply=f"{EVIDENCE}:EvidenceCompleted",
)
def complete_evidence(principal: Principal, case_id: str, evidence_id: str) -> EvidenceCompleted:
    from chalicelib.services import evidence

    return evidence.complete_upload(principal, case_id, evidence_id)


@operation(
    blueprint, "/cases/{caseId}/evidence/{evidenceId}", "GET",
    summary="One shot for police: where and when it was taken, and a short-lived link to the sealed copy",
    roles=POLICE, reply=f"{EVIDENCE}:EvidenceShot",
)
def get_evidence_shot(principal: Principal, case_id: str, evidence_id: str) -> EvidenceShot:
    from chalicelib.services import evidence

    return evidence.shot(principal, case_id, evidence_id)
