"""Review (复核) and police mediation: requests and replies."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from chalicelib.contracts.common import AwareDatetime, Contract, Lines, Reply, StrictBool, Text

PartyId = Annotated[str, Field(max_length=20)]
Fen = Annotated[int, Field(strict=True, ge=0, le=100_000_000_00, description="an amount in fen (分)")]


class ReviewOutcome(StrEnum):
    UPHELD = "UPHELD"
    REDO = "REDO"


class TerminationReasonValue(StrEnum):
    """The values of `chalicelib.domain.mediation_terms.TerminationReason` (the documents' enum)."""

    PARTY_ABSENT = "PARTY_ABSENT"
    WITHDRAWN = "WITHDRAWN"
    PARTY_SUED = "PARTY_SUED"
    NO_AGREEMENT_IN_TIME = "NO_AGREEMENT_IN_TIME"


class RequestReview(Contract):
    reason: Lines = Field(min_length=4, max_length=1000, description="why the letter should be reviewed (复核申请理由)")


class DecideReview(Contract):
    outcome: ReviewOutcome
    reasoning: Lines = Field(min_length=4, max_length=2000)


class ReviewView(Reply):
    review_id: str
    status: str
    requested_by: str
    reason: str
    requested_at: str
    request_deadline: str = Field(description="the asking party's last day to ask (3 working days from its service)")
    decide_by: str = Field(description="the supervisor's last day to decide (30 days, Art.74)")
    letter_document_id: str | None = None
    outcome_reasoning: str | None = None
    decided_at: str | None = None
    decided_late: bool = False


class ReviewDecided(Reply):
    case_id: str
    status: str
    review: ReviewView


class AskMediation(Contract):
    waive_notice: StrictBool = Field(default=False, description="the party gives up the 3 working days' notice (Art.87)")


class ParticipantKindValue(StrEnum):
    REPRESENTATIVE = "REPRESENTATIVE"
    INSURER_STAFF = "INSURER_STAFF"


class NewParticipant(Contract):
    party_id: PartyId = Field(description="the party on whose side this person attends")
    kind: ParticipantKindValue
    name: Text = Field(min_length=1, max_length=40)
    insurer_code: str | None = Field(default=None, pattern=r"^[A-Z]{2,8}$", description="for insurer staff: the side's insurer")


class ScheduleMediation(Contract):
    at: AwareDatetime
    mediator_id: str = Field(pattern=r"^[A-Z0-9]{2,20}$")
    participants: list[NewParticipant] = Field(
        default_factory=list, max_length=30, description="besides the parties themselves; at most 3 per side in all"
    )


class RecordSession(Contract):
    attended: list[str] = Field(default_factory=list, max_length=30, description="participant ids present")
    minutes: Lines | None = Field(default=None, min_length=1, max_length=5000)
    video_session_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_\-]{1,64}$")


class ItemTerms(Contract):
    name: Text = Field(min_length=1, max_length=60)
    amount_fen: Fen


class ShareTerms(Contract):
    party_id: PartyId
    amount_fen: Fen


class ProposeSettlement(Contract):
    basis: Lines = Field(min_length=2, max_length=1000)
    facts: Lines = Field(min_length=2, max_length=2000)
    losses: Lines = Field(min_length=2, max_length=2000)
    items: list[ItemTerms] = Field(min_length=1, max_length=30)
    shares: list[ShareTerms] = Field(min_length=1, max_length=10)
    payment_method: Text = Field(min_length=2, max_length=100)
    payment_deadline: date


class Terminate(Contract):
    reason: TerminationReasonValue
    reason_text: Lines = Field(min_length=2, max_length=1000)


class ParticipantView(Reply):
    participant_id: str
    party_id: str
    kind: str
    name: str
    insurer_code: str | None = None
    attended: bool | None = None


class SettlementView(Reply):
    basis: str
    facts: str
    losses: str
    items: list[ItemTerms]
    shares: list[ShareTerms]
    payment_method: str
    payment_deadline: str
    signed_by: list[str]


class MediationView(Reply):
    mediation_id: str
    status: str
    asked_by: list[str] = Field(description="the parties who asked; it is requested once every party has")
    waiting_for: list[str]
    requested_at: str | None = None
    session_at: str | None = None
    mediator_id: str | None = None
    participants: list[ParticipantView] = Field(default_factory=list)
    started_at: str | None = None
    conclude_by: str | None = Field(default=None, description="10 working days from the start (Art.89)")
    conclude_by_provisional: bool = False
    video_session_id: str | None = None
    minutes: list[str] = Field(default_factory=list)
    settlement: SettlementView | None = None
    document_id: str | None = None
    termination_reason: str | None = None
    ended_at: str | None = None
