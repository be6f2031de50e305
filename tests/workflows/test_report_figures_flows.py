"""The report figures kept with each case change equal the figures rebuilt from the cases' records
(issue 15), for the changes the generated proof (tests/integration/test_report_figures_kept.py) does
not drive: a rescue escalated and one accepted and arrived (the real rescue workflow on moto's Step
Functions), a direct-pay admission (the real medical workflow) and the insurer's payment of it, a
fund advance, and a mediation requested and agreed, each through the real routes and services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.report_moves import day_of
from chalicelib.services import medical_payers
from chalicelib.services.report_rebuild import rebuild
from chalicelib.store import cases as case_store
from chalicelib.store import report_counters
from tests.factories import staff_token, tow_token
from tests.integration.test_claims import insurers  # noqa: F401 (a fixture)
from tests.integration.test_mediation import SETTLEMENT
from tests.integration.test_medical_payers import send
from tests.payers import billed, funds
from tests.workflows.test_medical_workflow import (  # noqa: F401 (medical: a fixture)
    approved,
    determined_injury_case,
    hospital_token,
    medical,
    waiting_for,
)
from tests.workflows.test_rescue_workflow import accepted_by_nearest, escalated_rescue, status_becomes

UNIT = "320900"


def _rescue_arrived(flow: Any) -> None:
    case_id, order_id, truck_id = accepted_by_nearest(flow)
    status_becomes(flow, case_id, order_id, "ASSIGNED")
    arrived = flow.api.call("POST", f"/tow/orders/{order_id}/arrived", tow_token(truck_id), {})
    assert arrived.status == 200, arrived.body


def _admitted(flow: Any) -> dict:
    """A determined injury case whose injured party was admitted on the hospital's scan of her code."""
    case = determined_injury_case(flow)
    application = approved(flow, case)
    waiting_for(flow, case, application["applicationId"], "ADMISSION")
    scanned = flow.api.call("POST", "/hospital/scan", hospital_token(), {"token": application["qrToken"]})
    assert scanned.status == 200, scanned.body
    return case


def _paid_and_advanced(api: Any, created: dict) -> None:
    """Bills over the liable insurer's limit: it pays its limit, the fund advances part of the rest."""
    medical_payers.bills_posted(created["caseId"], [billed(created, 2_000_000)])
    paid = send(api, "PICC", "medical.paid", {"applicationId": "MAAPP0001", "amount": 1_800_000})
    assert paid.status == 200, paid.body
    (application,) = funds(created["caseId"])
    advanced = api.call("POST", f"/fund/applications/{application.fund_application_id}/approve", staff_token("fund"),
                        {"amount": 150_000})
    assert advanced.status == 200, advanced.body


def _mediated(api: Any, created: dict, monkeypatch: Any) -> None:
    officer = staff_token("officer")
    for party in created["parties"]:
        asked = api.call("POST", f"/cases/{created['caseId']}/mediation", party["token"], {"waiveNotice": True})
        assert asked.status == 200, asked.body
    mediation = api.call("GET", f"/cases/{created['caseId']}", officer).body["mediation"]
    mediation_id = mediation["mediationId"]
    soon = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    scheduled = api.call("POST", f"/mediation/{mediation_id}/schedule", officer, {"at": soon, "mediatorId": "M0001"})
    assert scheduled.status == 200, scheduled.body
    in_session = datetime.now(UTC) + timedelta(minutes=31)  # the session opens at its time: the services' clock moves there
    monkeypatch.setattr(case_store, "utcnow", lambda: in_session)
    people = api.call("GET", f"/cases/{created['caseId']}", officer).body["mediation"]["participants"]
    session = api.call("POST", f"/mediation/{mediation_id}/session", officer,
                       {"attended": [p["participantId"] for p in people], "minutes": "双方到场，陈述意见。"})
    assert session.status == 200, session.body
    first, second = (p["partyId"] for p in created["parties"])
    deadline = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    terms = {**SETTLEMENT, "paymentDeadline": deadline,
             "shares": [{"partyId": first, "amountFen": 300000}, {"partyId": second, "amountFen": 70000}]}
    assert api.call("POST", f"/mediation/{mediation_id}/agreement", officer, terms).status == 200
    for party in created["parties"]:
        signed = api.call("POST", f"/mediation/{mediation_id}/sign", party["token"])
        assert signed.status == 200, signed.body
    assert signed.body["status"] == "AGREED", signed.body


def _day(day: Any) -> list[dict]:
    return sorted(report_counters.day_items(UNIT, day), key=lambda item: item["sk"])


def test_given_rescues_direct_pay_a_fund_advance_and_a_mediation_when_rebuilt_then_each_moved_and_kept_equals_rebuilt(
        medical, insurers, monkeypatch):  # noqa: F811 (fixtures)
    today = day_of((datetime.now(UTC) + timedelta(minutes=35)).isoformat())
    escalated_rescue(medical)
    _rescue_arrived(medical)
    # One determined case for the rest: a determination (its letter drawn) is the slow part of a case.
    case = _admitted(medical)
    _paid_and_advanced(medical.api, case)
    _mediated(medical.api, case, monkeypatch)
    assert day_of(datetime.now(UTC).isoformat()) == today, "ran across Beijing midnight: run it again"

    kept = _day(today)
    counted = {name: sum(int(item.get(name, 0)) for item in kept) for name in (
        "rescueOrders", "rescueEscalated", "directPayPatients", "insurerPaidFen", "fundAdvancedFen",
        "mediationsRequested", "mediationsAgreed")}
    assert counted == {"rescueOrders": 2, "rescueEscalated": 1, "directPayPatients": 1, "insurerPaidFen": 1_800_000,
                       "fundAdvancedFen": 150_000, "mediationsRequested": 1, "mediationsAgreed": 1}
    timed = [item["sk"].split("#")[1] for item in kept if item["sk"].startswith("TIME#minutesTo") and "Letter" not in item["sk"]]
    assert sorted(timed) == ["minutesToAccept", "minutesToArrive"]
    rebuild(UNIT, today, today)
    assert _day(today) == kept
