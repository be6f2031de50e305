"""The hand-off to the insurer and rescue-fund side (`services/medical_payers`, issue 12's payer
part) and the amounts it reports back.

That module is built on another branch: until it is merged both calls are no-ops (nothing handed
off, every payer amount 0), checked by whether the module exists at all so an error inside it is
never mistaken for its absence. This file is the only place the flow names it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.medical import MedicalApplication, Windows, coverage

_PAYERS = "chalicelib.services.medical_payers"


@dataclass(frozen=True)
class PayerAmounts:
    guaranteed: int = 0
    paid: int = 0
    fund_advanced: int = 0
    to_recover: int = 0


def _payers() -> Any | None:
    if importlib.util.find_spec(_PAYERS) is None:
        return None
    return importlib.import_module(_PAYERS)


def hand_off_to_payers(case_id: str, applications: Sequence[MedicalApplication], windows: Windows) -> None:
    """Every billed person of the case to the payers (they split one vehicle's limit between all
    the injured, so they get all of them each time; the call is idempotent)."""
    payers = _payers()
    if payers is None:
        return
    billed = []
    for application in applications:
        if not application.bills or application.admitted_at is None:
            continue
        covered = coverage(application.bills, application.admitted_at, windows)
        billed.append(payers.BilledPerson(
            application_id=application.application_id, person_id=application.injured_party_id,
            hospital_code=application.hospital_code, billed_fen=covered.direct_pay_fen,
            fund_window_fen=covered.fund_window_fen, treatment_started_at=application.admitted_at,
        ))
    if billed:
        payers.bills_posted(case_id, billed)


def payer_amounts(case_id: str) -> dict[str, PayerAmounts]:
    """application id → what the insurers guaranteed and paid, what the fund advanced and will recover."""
    payers = _payers()
    if payers is None:
        return {}
    return {application_id: PayerAmounts(guaranteed=int(a.guaranteed), paid=int(a.paid),
                                         fund_advanced=int(a.fund_advanced), to_recover=int(a.to_recover))
            for application_id, a in payers.amounts(case_id).items()}
