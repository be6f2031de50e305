"""Evidence upload contracts."""

from __future__ import annotations

from pydantic import Field

from chalicelib.contracts.cases import ChecklistItemView
from chalicelib.contracts.common import AwareDatetime, Contract, Latitude, Longitude, Reply


class RequestEvidence(Contract):
    kind: str = Field(pattern=r"^[A-Z_]{2,40}$", description="a checklist kind, e.g. FRONT_WITH_PLATE, or OTHER")
    party_id: str | None = Field(default=None, max_length=20, description="the vehicle's party, for per-vehicle shots")
    content_type: str = Field(max_length=60)
    size: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="hex SHA-256 of the file")
    captured_at: AwareDatetime
    lat: Latitude
    lng: Longitude


class UploadInstruction(Reply):
    url: str
    method: str = "PUT"
    headers: dict[str, str]
    expires_at: str


class EvidenceRequested(Reply):
    evidence_id: str
    upload: UploadInstruction


class EvidenceCompleted(Reply):
    evidence_id: str
    status: str
    case_status: str
    complete: bool
    checklist: list[ChecklistItemView]


class EvidenceShot(Reply):
    """One shot as police see it: where and when it was taken, and a short-lived link to the sealed copy."""

    evidence_id: str
    kind: str
    party_id: str | None = None
    status: str
    captured_at: str
    lat: float
    lng: float
    content_type: str
    url: str | None = Field(default=None, description="presigned GET of the sealed copy; none until the shot is verified")
    expires_at: str | None = None
