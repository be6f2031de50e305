"""Who is in a case's room: derived from the case, never from the request.

Its parties, the police of its jurisdiction, the insurers of its vehicles, the hospital of a
direct-pay application, the tow truck and repair shop of its rescue orders, and the mediator
scheduled for its mediation. Anyone else is told the case does not exist (404), as for the case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chalicelib.domain import evidence
from chalicelib.domain.mediation import MediationStatus
from chalicelib.domain.principals import POLICE, Principal, Role
from chalicelib.errors import NotFound
from chalicelib.services import notices
from chalicelib.store import cases, reference
from chalicelib.store.cases import CaseRecord

PARTY, POLICE_KIND, INSURER, HOSPITAL, TOW, REPAIRER, MEDIATOR, SYSTEM = (
    "party", "police", "insurer", "hospital", "tow", "repairer", "mediator", "system",
)
# Members whose label is the partner's name in the seeded reference data.
_NAMED_BY_REFERENCE = {INSURER: "INSURER", HOSPITAL: "HOSPITAL", REPAIRER: "REPAIR_SHOP"}


@dataclass(frozen=True)
class Member:
    kind: str  # "party" | "police" | "insurer" | "hospital" | "tow" | "repairer" | "mediator" ("system" for the platform)
    key: str  # party id, jurisdiction, insurer code, hospital code, truck id, shop code, staff id
    label: str  # shown in the room: 甲方/乙方, 民警, the insurer's name, the hospital's name ...


SYSTEM_MEMBER = Member(SYSTEM, SYSTEM, notices.text("room.label.system"))


def _direct_pay_hospitals(record: CaseRecord) -> set[str]:
    """Hospitals police approved sending an injured person of the case to (direct pay)."""
    return {a.hospital_code for a in record.medical if a.approved_at is not None}


def _mediators(record: CaseRecord) -> set[str]:
    """The mediator scheduled for the case's mediation, from the schedule on (the room keeps the
    record of what they said); none for a mediation cancelled by a new letter."""
    mediation = record.case.mediation
    if mediation is None or not mediation.mediator_id or mediation.status == MediationStatus.CANCELLED:
        return set()
    return {mediation.mediator_id}


def _repair_shops(record: CaseRecord) -> list[str]:
    shops = [order.destination for order in record.rescues] + [handoff.repair_shop for handoff in record.handoffs]
    return list(dict.fromkeys(shop for shop in shops if shop))


def _trucks(record: CaseRecord) -> list[str]:
    """The trucks that took a job of the case (a truck only offered it is not in the room)."""
    return list(dict.fromkeys(order.truck_id for order in record.rescues if order.truck_id))


def _unlabelled(record: CaseRecord) -> Iterator[tuple[str, str]]:
    for party in record.parties:
        yield PARTY, party.party_id
    yield POLICE_KIND, record.case.jurisdiction
    yield from ((INSURER, code) for code in record.insurer_codes())
    yield from ((HOSPITAL, code) for code in sorted(_direct_pay_hospitals(record)))
    yield from ((TOW, truck) for truck in _trucks(record))
    yield from ((REPAIRER, shop) for shop in _repair_shops(record))
    yield from ((MEDIATOR, staff) for staff in sorted(_mediators(record)))


def _labelled(record: CaseRecord, found: list[tuple[str, str]]) -> list[Member]:
    """Labels: 甲方/乙方 by the order parties were reported in, partners by their seeded names."""
    names = {
        kind: reference.names(ref_kind, [key for k, key in found if k == kind]) for kind, ref_kind in _NAMED_BY_REFERENCE.items()
    }

    def label(kind: str, key: str) -> str:
        if kind == PARTY:
            return party_label(record, key)
        if kind in names:
            return names[kind].get(key, key)
        return notices.text(f"room.label.{kind}")

    return [Member(kind, key, label(kind, key)) for kind, key in found]


def party_label(record: CaseRecord, party_id: str) -> str:
    """甲方/乙方 ...: how the room (and its system messages) names a party."""
    party = record.party(party_id)
    return evidence.party_label(int(party.position)) if party else party_id


def members(record: CaseRecord) -> list[Member]:
    return _labelled(record, list(_unlabelled(record)))


def _seat(principal: Principal, record: CaseRecord) -> tuple[str, str] | None:
    """The member the caller is, before its label is looked up; None for an outsider."""
    role = principal.role
    if role in (Role.PARTY, Role.WECHAT_USER):
        try:
            cases.authorise(principal, record)  # the party's token must still be the one in force
        except NotFound:
            return None
        if role is Role.PARTY:
            return PARTY, principal.subject
        joined = next((p for p in record.parties if p.openid == principal.subject), None)
        return (PARTY, joined.party_id) if joined else None
    if role in POLICE:
        try:
            cases.authorise(principal, record)  # a unit sees the cases of the units it covers
        except NotFound:
            return None
        return POLICE_KIND, record.case.jurisdiction
    org = principal.org or ""
    for kind, role_of_kind, keys in (
        (INSURER, Role.INSURER, CaseRecord.insurer_codes),
        (TOW, Role.TOW, _trucks),
        (REPAIRER, Role.REPAIRER, _repair_shops),
    ):
        if role is role_of_kind and org and org in keys(record):
            return kind, org
    if role is Role.HOSPITAL and org and org in _direct_pay_hospitals(record):
        return HOSPITAL, org
    if role is Role.MEDIATOR and principal.subject in _mediators(record):
        return MEDIATOR, principal.subject
    return None


def member_for(principal: Principal, record: CaseRecord) -> Member:
    """The member the caller is in the case's room; NotFound (404) for anyone else."""
    if principal.role is Role.SYSTEM:
        return SYSTEM_MEMBER
    seat = _seat(principal, record)
    if seat is None:
        raise NotFound("no such case", field="caseId")
    return _labelled(record, [seat])[0]


def admit(principal: Principal, record: CaseRecord) -> None:
    """`store.cases.mutate`'s check for a room's writers: members only (no label looked up)."""
    if principal.role is not Role.SYSTEM and _seat(principal, record) is None:
        raise NotFound("no such case", field="caseId")
