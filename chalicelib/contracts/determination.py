"""Liability determination, signatures, self-settlement agreements and documents."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from chalicelib.contracts.common import CleanText, Contract, Lines, Reply, StrictBool

ScenarioCode = Field(pattern=r"^[A-Z_]{2,40}$", description="a code from GET /scenarios")
PartyId = Annotated[str, Field(max_length=20)]
CollisionPart = Annotated[str, Field(min_length=1, max_length=40), CleanText]
MAX_PARTIES = 10  # as many as a case may have


class LiabilityValue(StrEnum):
    FULL = "FULL"
    PRIMARY = "PRIMARY"
    EQUAL = "EQUAL"
    SECONDARY = "SECONDARY"
    NONE = "NONE"


class Determine(Contract):
    scenario: str = ScenarioCode
    at_fault_party_id: PartyId | None = Field(default=None, max_length=20)
    facts: Lines = Field(min_length=4, max_length=2000, description="the facts as the officer found them (事故事实)")
    liabilities: dict[PartyId, LiabilityValue] | None = Field(
        default=None, max_length=MAX_PARTIES, description="only to depart from the suggestion"
    )
    override_reason: Lines | None = Field(default=None, min_length=4, max_length=500)
    collision_parts: dict[PartyId, CollisionPart] | None = Field(
        default=None, max_length=MAX_PARTIES, description="碰撞部位 per party, else the scenario's"
    )

    @model_validator(mode="after")
    def _override_needs_reason(self) -> Determine:
        if self.liabilities is not None and not self.override_reason:
            raise ValueError("overrideReason is required when liabilities depart from the suggestion")
        return self


class Sign(Contract):
    accept: StrictBool
    reason: Lines | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _refusal_needs_reason(self) -> Sign:
        if not self.accept and (self.reason is None or len(self.reason) < 2):
            raise ValueError("reason is required when refusing to sign")
        return self


class ProposeAgreement(Contract):
    scenario: str = ScenarioCode
    at_fault_party_id: PartyId | None = Field(default=None, max_length=20)
    liabilities: dict[PartyId, LiabilityValue] = Field(max_length=MAX_PARTIES)
    facts: Lines = Field(min_length=4, max_length=2000)


class Deadlines(Reply):
    served_on: str
    review_by: str
    mediation_request_by: str
    provisional: bool = Field(description="counted through a year whose holidays are not loaded yet: may move (暂定)")
    served_by: str | None = Field(default=None, description="SIGNED, REFUSED or NOTICE_DELIVERED; none for the officer's day")


class DeterminationView(Reply):
    scenario: str
    scenario_label: str
    catalogue_version: str
    at_fault_party_id: str | None = None
    facts: str
    suggested: dict[str, str]
    liabilities: dict[str, str]
    overridden: bool
    override_reason: str | None = None
    damage_shares: dict[str, int] = Field(default_factory=dict)
    determined_at: str
    officer_badge: str
    deadlines: Deadlines = Field(description="counted from the officer's decision (the first letter prints these)")
    party_deadlines: dict[str, Deadlines] = Field(
        default_factory=dict, description="each party's own, counted from the day the letter was served on them (Art.71, 86)"
    )


class SignatureView(Reply):
    accept: bool
    reason: str | None = None
    at: str


class AgreementView(Reply):
    proposed_by: str
    proposed_at: str
    scenario: str
    scenario_label: str
    at_fault_party_id: str | None = None
    liabilities: dict[str, str]
    facts: str
    signatures: dict[str, SignatureView]


class Determined(Reply):
    case_id: str
    status: str
    determination: DeterminationView
    letter_document_id: str


class Signed(Reply):
    case_id: str
    party_id: str
    accept: bool
    status: str
    document_id: str | None = None


class AgreementProposed(Reply):
    case_id: str
    status: str
    agreement: AgreementView | None = None
    document_id: str | None = None


class DocumentView(Reply):
    document_id: str
    kind: str
    number: str
    revision: int
    issued_at: str
    sha256: str
    current: bool


class DocumentList(Reply):
    items: list[DocumentView]


class DocumentLink(Reply):
    document_id: str
    url: str
    expires_at: str
    sha256: str


class DocumentCheck(Reply):
    document_id: str
    genuine: bool
    kind: str | None = None
    number: str | None = None
    issued_at: str | None = None
    sha256: str | None = Field(default=None, description="SHA-256 of the stored document now")
    recorded_sha256: str | None = Field(default=None, description="SHA-256 recorded in the case's audit log")
    reason: str | None = None


class ScenarioView(Reply):
    code: str
    label: str
    description: str
    suggested_liability: str
    accident_form: str


class ScenarioCatalogue(Reply):
    province: str
    version: str
    scenarios: list[ScenarioView]
