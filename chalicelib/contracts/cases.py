"""Case intake and case view contracts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from chalicelib.contracts.claims import ClaimView
from chalicelib.contracts.common import AwareDatetime, Contract, Location, Reply, StrictBool, Text
from chalicelib.contracts.determination import AgreementView, DeterminationView, DocumentView, SignatureView
from chalicelib.contracts.disputes import MediationView, ReviewView
from chalicelib.domain.eligibility import InjurySeverity
from chalicelib.domain.identity import IdType, is_motor_plate, normalise_any_plate, normalise_identity, normalise_name, normalise_phone


class Channel(StrEnum):
    SMS_110 = "110_SMS"
    WECHAT = "WECHAT"
    VIDEO_PHONE = "VIDEO_PHONE"


class Weather(StrEnum):
    SUNNY = "晴"
    CLOUDY = "阴"
    RAIN = "雨"
    SNOW = "雪"
    FOG = "雾"
    WIND = "大风"
    DUST = "沙尘"
    HAIL = "冰雹"
    OTHER = "其他"


class PartyKind(StrEnum):
    MOTOR = "MOTOR"
    NON_MOTOR = "NON_MOTOR"
    PEDESTRIAN = "PEDESTRIAN"


Phone = Annotated[str, AfterValidator(normalise_phone)]
Plate = Annotated[str, AfterValidator(normalise_any_plate)]
PersonName = Annotated[str, AfterValidator(normalise_name)]


class Screening(Contract):
    """The call-taker's answers to the Order 146 Art.13/14/15 questions; each must be answered
    (an unanswered question is not a "no")."""

    no_valid_licence: StrictBool
    drink_or_drugs: StrictBool
    no_plate: StrictBool
    party_left_scene: StrictBool
    dangerous_goods: StrictBool
    facility_damaged: StrictBool
    intentional: StrictBool
    school_bus_or_overloaded: StrictBool
    serious_speeding: StrictBool
    no_inspection_or_insurance_mark: StrictBool


class Vehicle(Contract):
    plate: Plate = Field(description="a motor-vehicle plate; for a NON_MOTOR party its e-bike plate")
    type: Text = Field(min_length=2, max_length=20, description="vehicle type, e.g. 小型轿车")
    insurer_code: str | None = Field(default=None, min_length=2, max_length=16)
    policy_no: str | None = Field(default=None, min_length=4, max_length=40, pattern=r"^[0-9A-Za-z\-]+$")

    @model_validator(mode="after")
    def _policy_with_insurer(self) -> Vehicle:
        if (self.insurer_code is None) != (self.policy_no is None):
            raise ValueError("insurerCode and policyNo go together: give both, or neither for an uninsured vehicle")
        return self


class PartyIn(Contract):
    name: PersonName = Field(min_length=1, max_length=40)
    phone: Phone
    id_type: IdType = Field(default=IdType.RESIDENT_ID, description="the identity document idNumber is from")
    id_number: str = Field(min_length=1, max_length=40)
    kind: PartyKind
    vehicle: Vehicle | None = None
    consents_to_remote: StrictBool | None = Field(
        default=None, description="the party's recorded answer to remote handling of an injury; required when injuries is true"
    )

    @field_validator("id_number")
    @classmethod
    def _id_number_of_its_type(cls, value: str, info: ValidationInfo) -> str:
        id_type = info.data.get("id_type")
        if id_type is None:
            return value  # the idType is wrong; that error is reported
        return normalise_identity(id_type, value)

    @model_validator(mode="after")
    def _vehicle_matches_kind(self) -> PartyIn:
        if self.kind is PartyKind.MOTOR and self.vehicle is None:
            raise ValueError("a MOTOR party needs its vehicle")
        if self.kind is PartyKind.MOTOR and self.vehicle is not None and not is_motor_plate(self.vehicle.plate):
            raise ValueError("vehicle.plate: a MOTOR party's vehicle needs a motor-vehicle plate")
        if self.kind is PartyKind.PEDESTRIAN and self.vehicle is not None:
            raise ValueError("a PEDESTRIAN party has no vehicle")
        return self


class CreateCase(Contract):
    occurred_at: AwareDatetime
    location: Location
    weather: Weather
    channel: Channel
    injuries: StrictBool
    injury_severity: InjurySeverity | None = Field(
        default=None, description="required when injuries is true (with each party's consentsToRemote)"
    )
    injury_agreed_remote: None = Field(
        default=None, exclude=True, description="withdrawn: give injurySeverity and each party's consentsToRemote"
    )
    vehicles_movable: StrictBool
    screening: Screening
    parties: list[PartyIn] = Field(min_length=1, max_length=10)

    @field_validator("injury_agreed_remote", mode="before")
    @classmethod
    def _withdrawn(cls, value: object) -> None:
        # One call-taker's yes sent any injury, even a death, to remote handling; the law asks for a
        # slight injury and every party's consent (Order 146 Art.23). Refused rather than ignored, so a
        # client relying on it learns that its request is not what it thought (ADR 0013).
        raise ValueError("is withdrawn: give injurySeverity and each party's consentsToRemote")

    @model_validator(mode="after")
    def _distinct_parties(self) -> CreateCase:
        for attribute, label in (("id_number", "idNumber"), ("phone", "phone")):
            seen: set[str] = set()
            for party in self.parties:
                value = getattr(party, attribute)
                if value in seen:
                    raise ValueError(f"two parties have the same {label}")
                seen.add(value)
        plates = [p.vehicle.plate for p in self.parties if p.vehicle]
        if len(plates) != len(set(plates)):
            raise ValueError("two parties have the same plate")
        return self


class EligibilityReason(Reply):
    code: str
    article: str
    text: str


class EligibilityView(Reply):
    remote: bool
    self_settlement_allowed: bool
    reasons: list[EligibilityReason]


class PartyAccess(Reply):
    party_id: str
    token: str
    link: str


class CaseCreated(Reply):
    case_id: str
    status: str
    eligibility: EligibilityView
    parties: list[PartyAccess]


class VehicleView(Reply):
    plate: str
    type: str
    insurer_code: str | None = None
    policy_no: str | None = None


class PartyView(Reply):
    party_id: str
    label: str
    name: str
    phone: str
    id_type: str = IdType.RESIDENT_ID.value
    id_number: str
    kind: PartyKind
    vehicle: VehicleView | None = None
    consents_to_remote: bool | None = None


class ChecklistItemView(Reply):
    kind: str
    party_id: str | None = None
    label: str
    status: str
    evidence_id: str | None = None


class EvidenceFlagView(Reply):
    code: str = Field(description="CAPTURED_LATE, FAR_FROM_SCENE, CAMERA_TIME_MISMATCH, CAMERA_POSITION_MISMATCH")
    text: str


class EvidenceView(Reply):
    evidence_id: str
    kind: str
    party_id: str | None = None
    content_type: str
    size: int
    sha256: str
    captured_at: str
    status: str
    flags: list[EvidenceFlagView] = Field(default_factory=list, description="for the officer to weigh; the shot is kept")


class EvidenceSummary(Reply):
    complete: bool
    checklist: list[ChecklistItemView]
    items: list[EvidenceView]


class TimelineEntry(Reply):
    at: str
    action: str
    text: str
    actor_role: str


class Timeline(Reply):
    entries: list[TimelineEntry]
    next_token: str | None = None


class TimelineQuery(Contract):
    limit: int = Field(default=50, ge=1, le=200)
    next_token: str | None = Field(default=None, max_length=2000)


class RescueSummary(Reply):
    order_id: str
    party_id: str
    status: str
    status_since: str


class CaseView(Reply):
    """`determination`, `agreement`, `signatures` and `documents` appear once they exist."""

    case_id: str
    status: str
    status_since: str
    jurisdiction: str
    occurred_at: str
    reported_at: str
    channel: str
    weather: str
    location: Location
    injuries: bool
    injury_severity: str | None = None
    vehicles_movable: bool
    eligibility: EligibilityView
    parties: list[PartyView]
    evidence: EvidenceSummary
    timeline: list[TimelineEntry] = Field(description="the latest entries, oldest first; the rest at GET /cases/{caseId}/timeline")
    timeline_complete: bool = True
    determination: DeterminationView | None = None
    signatures: dict[str, SignatureView] = Field(default_factory=dict)
    agreement: AgreementView | None = None
    documents: list[DocumentView] = Field(default_factory=list)
    claims: list[ClaimView] = Field(default_factory=list)
    rescues: list[RescueSummary] = Field(
        default_factory=list, description="rescue orders; each in full at /cases/{caseId}/rescue/{orderId}"
    )
    version: int
    review: ReviewView | None = Field(default=None, description="复核: the request and, once made, the decision")
    mediation: MediationView | None = Field(default=None, description="police mediation: who asked, the session, its outcome")
