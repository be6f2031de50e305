"""The payers of injury direct pay: the insurers (emergency-cost notices and their answers) and
the road rescue fund. `bills_posted` and `amounts` are the hand-off to the direct-pay flow."""

from __future__ import annotations

from chalicelib.domain.medical_payers import PayerAmounts
from chalicelib.services.medical_payers.requests import BilledPerson, bills_posted
from chalicelib.store import medical_payers as payer_store
from chalicelib.store.cases import plain

__all__ = ["BilledPerson", "PayerAmounts", "amounts", "bills_posted", "committed", "owed_by"]


def amounts(case_id: str) -> dict[str, PayerAmounts]:
    """application id → what its insurers were asked, guaranteed and paid, and the fund advanced (fen)."""
    payers = payer_store.of_case(case_id)
    totals: dict[str, dict[str, int]] = {}
    for due in payers.dues:
        entry = totals.setdefault(due.application_id, {})
        for name in ("due", "guaranteed", "paid"):
            entry[name] = entry.get(name, 0) + int(getattr(due, name))
    for application in payers.funds:
        entry = totals.setdefault(application.application_id, {})
        entry["fund_advanced"] = int(application.advanced or 0)
        entry["to_recover"] = sum(int(fen) for fen in plain(application.to_recover).values())
    return {application_id: PayerAmounts(**entry) for application_id, entry in totals.items()}



def owed_by(case_id: str, insurer_code: str) -> set[str]:
    """The application ids for which one of the insurer's vehicles owes something (due > 0)."""
    return {due.application_id for due in payer_store.of_case(case_id).dues
            if due.insurer_code == insurer_code and int(due.due) > 0}


def committed(case_id: str, vehicle_id: str) -> bool:
    """Whether the vehicle's insurer already guaranteed or paid something on this case."""
    return any(due.vehicle_id == vehicle_id and (int(due.guaranteed) or int(due.paid))
               for due in payer_store.of_case(case_id).dues)
