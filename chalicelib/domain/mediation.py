"""Police mediation (Order 146 Art.84-94): the joint request, the notice, who attends, how long it
may run, and what the parties agree. Periods in working days (Art.112, ADR 0014)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum

from pydantic import Field

from chalicelib.domain import workdays
from chalicelib.domain.decisions import Deadlines, Record
from chalicelib.errors import DeadlinePassed, ValidationFailed

NOTICE_WORKING_DAYS = 3  # Art.87: the parties are told the time and place 3 days ahead
CONCLUDE_WORKING_DAYS = 10  # Art.89: mediation ends within 10 days of its start
MAX_PER_SIDE = 3  # Art.88: at most 3 people per side, the party included


class MediationStatus(StrEnum):
    ASKING = "ASKING"  # some parties asked, not yet all
    REQUESTED = "REQUESTED"
    SCHEDULED = "SCHEDULED"
    IN_SESSION = "IN_SESSION"
    AGREED = "AGREED"
    TERMINATED = "TERMINATED"
    CANCELLED = "CANCELLED"  # the letter it was asked about was replaced after a review


class ParticipantKind(StrEnum):
    PARTY = "PARTY"
    REPRESENTATIVE = "REPRESENTATIVE"  # 代理人 or a relative
    INSURER_STAFF = "INSURER_STAFF"  # 保险公司工作人员 (Art.88)


class Ask(Record):
    at: str
    waive_notice: bool = False


class Participant(Record):
    participant_id: str
    side: str
    """The party whose side the participant attends on."""
    kind: ParticipantKind
    name: str
    insurer_code: str | None = None
    attended: bool | None = None


class Minute(Record):
    at: str
    by: str
    text: str


class AgreedItem(Record):
    name: str
    amount_fen: int


class AgreedShare(Record):
    party_id: str
    amount_fen: int
    """What this party pays (its side's share of the agreed losses)."""


class Settlement(Record):
    """The terms of a mediation agreement (调解书) as proposed; binding once every party signed."""

    basis: str
    facts: str
    losses: str
    items: list[AgreedItem]
    shares: list[AgreedShare]
    payment_method: str
    payment_deadline: str
    proposed_at: str
    proposed_by: str
    signatures: dict[str, str] = Field(default_factory=dict)
    """Party id → when it signed."""

    def signed_by_all(self, party_ids: list[str]) -> bool:
        return all(p in self.signatures for p in party_ids)


class Mediation(Record):
    mediation_id: str
    status: MediationStatus = MediationStatus.ASKING
    asked: dict[str, Ask] = Field(default_factory=dict)
    requested_at: str | None = None
    session_at: str | None = None
    mediator_id: str | None = None
    mediator_name: str | None = None
    scheduled_by: str | None = None
    notice_waived: bool = False
    participants: list[Participant] = Field(default_factory=list)
    started_at: str | None = None
    conclude_by: str | None = None
    conclude_by_provisional: bool = False
    video_session_id: str | None = None
    minutes: list[Minute] = Field(default_factory=list)
    settlement: Settlement | None = None
    document_id: str | None = None
    termination_reason: str | None = None
    termination_text: str | None = None
    ended_at: str | None = None

    def asked_by_all(self, party_ids: list[str]) -> bool:
        return all(p in self.asked for p in party_ids)

    def waived_by_all(self, party_ids: list[str]) -> bool:
        return all(p in self.asked and self.asked[p].waive_notice for p in party_ids)


def ensure_request_in_time(today: date, deadlines: Deadlines) -> None:
    """Refuses a party's ask after its 10 working days from the letter's service (Art.86)."""
    if today.isoformat() > deadlines.mediation_request_by:
        raise DeadlinePassed(
            f"the mediation request period ended on {deadlines.mediation_request_by}: 10 working days from the "
            f"letter's service on {deadlines.served_on}, holidays and weekends not counted (Order 146 Art.86)",
            field="caseId",
            deadline=deadlines.mediation_request_by,
            servedOn=deadlines.served_on,
            workingDays=CONCLUDE_WORKING_DAYS,
        )


def earliest_session(notified_on: date, calendar: workdays.Calendar) -> date:
    """The first day a session may be held when the parties are told on `notified_on`: 3 working days later."""
    return workdays.add_working_days(notified_on, NOTICE_WORKING_DAYS, calendar).due


def ensure_notice(notified_on: date, session_on: date, waived: bool, calendar: workdays.Calendar) -> None:
    if waived:
        return
    earliest = earliest_session(notified_on, calendar)
    if session_on < earliest:
        raise ValidationFailed(
            f"the parties must be told 3 working days ahead (Art.87): the earliest day is {earliest.isoformat()} "
            "unless every party waived the notice when asking",
            field="at",
            earliest=earliest.isoformat(),
        )


def conclude_by(started_on: date, calendar: workdays.Calendar) -> workdays.Deadline:
    """The last day to reach an agreement: 10 working days from the start (Art.89)."""
    return workdays.add_working_days(started_on, CONCLUDE_WORKING_DAYS, calendar)


def is_overdue(mediation: Mediation, today: date) -> bool:
    return mediation.conclude_by is not None and today.isoformat() > mediation.conclude_by


def ensure_sides(participants: list[Participant], party_ids: list[str]) -> None:
    """Every participant on the side of a party of the case, at most 3 per side (the party included)."""
    for index, participant in enumerate(participants):
        if participant.side not in party_ids:
            raise ValidationFailed("is not a party of this case", field=f"participants[{index}].partyId")
    for side, count in Counter(p.side for p in participants).items():
        if count > MAX_PER_SIDE:
            raise ValidationFailed(
                f"at most {MAX_PER_SIDE} people per side attend a mediation, the party included (Art.88): "
                f"{count} on the side of {side}",
                field="participants",
                side=side,
            )


def ensure_shares(settlement: Settlement, party_ids: list[str]) -> None:
    """The shares name parties of the case and add up to the agreed items."""
    for index, share in enumerate(settlement.shares):
        if share.party_id not in party_ids:
            raise ValidationFailed("is not a party of this case", field=f"shares[{index}].partyId")
    total = sum(item.amount_fen for item in settlement.items)
    shared = sum(share.amount_fen for share in settlement.shares)
    if total != shared:
        raise ValidationFailed(f"the shares add up to {shared} fen, the items to {total} fen", field="shares")
