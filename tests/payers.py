"""Cases and bills for the payers' tests (integration and workflow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.services.medical_payers import BilledPerson
from chalicelib.store import medical_payers as payer_store
from tests.factories import case_body, staff_token


def determined(api, body=None) -> dict:
    """Party 0 (Liu) reversed into party 1 (Sun): Liu FULL, Sun NONE."""
    created = api.case_awaiting_determination(body or case_body())
    first = created["parties"][0]["partyId"]
    payload = {"scenario": "REAR_END", "atFaultPartyId": first, "facts": "甲方倒车撞到乙方。"}
    reply = api.call("POST", f"/cases/{created['caseId']}/determination", staff_token("officer"), payload)
    assert reply.status == 201, reply.body
    return created


def billed(created: dict, fen: int, window_fen: int | None = None, application_id: str = "MAAPP0001") -> BilledPerson:
    return BilledPerson(application_id=application_id, person_id=created["parties"][1]["partyId"], hospital_code="YCH01",
                        billed_fen=fen, fund_window_fen=window_fen if window_fen is not None else fen,
                        treatment_started_at=datetime.now(UTC) - timedelta(hours=2))


def funds(case_id: str):
    return payer_store.of_case(case_id).funds
