"""The hand-off from the direct-pay flow to its payers (`services/medical_payers`: the insurers'
emergency-cost notices and the road rescue fund) and the amounts they report back. This file is
the only place the flow names them."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.medical import MedicalApplication, Windows, coverage
from chalicelib.domain.medical_payers import PayerAmounts, covered_vehicles
from chalicelib.store import cases as store

__all__ = ["PayerAmounts", "applications_owed_by", "hand_off_to_payers", "insurer_committed", "insurers_paying_for",
           "payer_amounts"]


def hand_off_to_payers(case_id: str, applications: Sequence[MedicalApplication], windows: Windows) -> None:
    """Every billed person of the case to the payers (they split one vehicle's limit between all
    the injured, so they get all of them each time; the call is idempotent)."""
    from chalicelib.services import medical_payers

    billed = []
    for application in applications:
        if not application.bills or application.admitted_at is None:
            continue
        covered = coverage(application.bills, application.admitted_at, windows)
        billed.append(medical_payers.BilledPerson(
            application_id=application.application_id, person_id=application.injured_party_id,
            hospital_code=application.hospital_code, billed_fen=covered.direct_pay_fen,
            fund_window_fen=covered.fund_window_fen, treatment_started_at=application.admitted_at,
        ))
    if billed:
        medical_payers.bills_posted(case_id, billed)


def payer_amounts(case_id: str) -> dict[str, PayerAmounts]:
    """application id → what the insurers were asked, guaranteed and paid, what the fund advanced
    and will recover (fen)."""
    from chalicelib.services import medical_payers

    return medical_payers.amounts(case_id)


def applications_owed_by(case_id: str, insurer_code: str) -> set[str]:
    """The applications one of the insurer's vehicles owes something for: what it may read."""
    from chalicelib.services import medical_payers

    return medical_payers.owed_by(case_id, insurer_code)


def insurer_committed(case_id: str, vehicle_id: str) -> bool:
    """Whether the vehicle's insurer already guaranteed or paid emergency costs on this case."""
    from chalicelib.services import medical_payers

    return medical_payers.committed(case_id, vehicle_id)


def insurers_paying_for(record: store.CaseRecord, person_id: str) -> list[str]:
    """The codes of the 交强险 insurers that answer for this injured person: every insured vehicle
    whose driver did not flee, except the one the person was in (none: the rescue fund advances)."""
    from chalicelib.services.claims import agreed_liabilities
    from chalicelib.services.medical_payers.requests import vehicle_facts

    liabilities = agreed_liabilities(record)
    if liabilities is None:
        return []
    facts = vehicle_facts(record, liabilities)
    own = person_id if person_id in {fact.vehicle_id for fact in facts} else None
    paying = {v.vehicle_id for v in covered_vehicles(facts, {person_id: own}) if v.insured and person_id not in v.excludes}
    codes = (store.plain(party.vehicle).get("insurerCode") for party in record.parties if party.party_id in paying)
    return list(dict.fromkeys(code for code in codes if code))
