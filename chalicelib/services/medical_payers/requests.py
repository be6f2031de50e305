"""Bills posted → who pays: each paying insurer is asked (the Art.42 emergency-cost notice, a signed
`medical.requested` webhook) and each person with an uncovered part gets a rescue-fund application.

Idempotent by construction: the amounts are computed from the case and ALL the bills given, and
only a difference from what was asked before is written (in the case's transaction), so the same
bills posted twice change nothing and a retry never asks twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain import ids, insurance
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.medical_payers import FundStatus, VehicleFacts, answer_by, covered_vehicles, notify_by, remind_on, share_percents
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Conflict
from chalicelib.services import calendar as calendars
from chalicelib.services.claims import accident_date, agreed_liabilities
from chalicelib.store import cases as store
from chalicelib.store import fund as fund_store
from chalicelib.store import medical_payers as payer_store
from chalicelib.store import outbox

PAYERS = Principal(subject="medical-payers", role=Role.SYSTEM)


@dataclass(frozen=True)
class BilledPerson:
    application_id: str
    person_id: str
    hospital_code: str
    billed_fen: int  # bills inside the direct-pay window
    fund_window_fen: int  # bills inside the fund window (>= billed_fen)
    treatment_started_at: datetime


def split_medical(bills: Mapping[str, int], vehicles: Sequence[Any], *, liable_limit: int, not_liable_limit: int) -> Any:
    """M1's pure split (`chalicelib.domain.medical_split`), imported here and only here."""
    from chalicelib.domain.medical_split import split_medical as split

    return split(bills, vehicles, liable_limit=liable_limit, not_liable_limit=not_liable_limit)


def vehicle_facts(record: store.CaseRecord, liabilities: Mapping[str, str]) -> list[VehicleFacts]:
    """Every motor vehicle of the case: insured when it names its 交强险, hit-and-run when its driver fled."""
    facts = []
    for party in record.parties:
        if party.kind != "MOTOR":
            continue
        vehicle = store.plain(party.vehicle)
        facts.append(VehicleFacts(vehicle_id=party.party_id, liability=liabilities[party.party_id],
                                  insured=bool(vehicle.get("insurerCode") and vehicle.get("policyNo")),
                                  fled=bool(vehicle.get("fled"))))
    return facts


@dataclass
class _Plan:
    """What the payers should have asked, computed from the case and the bills."""

    dues: dict[tuple[str, str], int]  # (application id, vehicle id) → fen its insurer pays directly
    fund: dict[str, int]  # application id → fen the fund advances
    reasons: dict[str, list[str]]
    recover: dict[str, dict[str, int]]  # application id → vehicle id → fen


def plan(record: store.CaseRecord, billed: Sequence[BilledPerson]) -> _Plan:
    liabilities = agreed_liabilities(record)
    if liabilities is None:
        raise Conflict("the payers are asked once liability is determined or agreed", field="status", status=record.case.status)
    facts = vehicle_facts(record, liabilities)
    # A motor party's id is its vehicle's id: an injured driver sat in their own vehicle.
    motor = {f.vehicle_id for f in facts}
    vehicles = covered_vehicles(facts, {b.person_id: b.person_id if b.person_id in motor else None for b in billed})
    on = accident_date(record)
    limits = {"liable_limit": insurance.compulsory_limits("FULL", config.load("insurance"), on).medical,
              "not_liable_limit": insurance.compulsory_limits("NONE", config.load("insurance"), on).medical}
    by_person = {b.person_id: b for b in billed}
    # Direct pay covers the direct-pay window; the fund advances what no insurance covers in its window.
    direct = split_medical({p: b.billed_fen for p, b in by_person.items()}, vehicles, **limits)
    whole = split_medical({p: b.fund_window_fen for p, b in by_person.items()}, vehicles, **limits)
    app_of = {p: b.application_id for p, b in by_person.items()}
    recover: dict[str, dict[str, int]] = {}
    for (vehicle_id, person), fen in whole.recover.items():
        recover.setdefault(app_of[person], {})[vehicle_id] = fen
    return _Plan(
        dues={(app_of[person], vehicle_id): fen for (vehicle_id, person), fen in direct.insurer.items()},
        fund={app_of[person]: fen for person, fen in whole.fund.items() if fen > 0},
        reasons={app_of[person]: sorted(str(reason) for reason in why) for person, why in whole.reasons.items()},
        recover=recover,
    )


def _insurer_requests(record: store.CaseRecord, wanted: _Plan, payers: payer_store.Payers, by_app: dict[str, BilledPerson],
                      at: str) -> store.Change | None:
    parties = {p.party_id: p for p in record.parties}
    shares = share_percents(agreed_liabilities(record) or {})
    puts: list[Any] = []
    replaces: list[tuple[Any, Any]] = []
    asked = []
    pointed = {d.application_id for d in payers.dues}
    keys = set(wanted.dues) | {(d.application_id, d.vehicle_id) for d in payers.dues if d.application_id in by_app}
    for application_id, vehicle_id in sorted(keys):
        fen = wanted.dues.get((application_id, vehicle_id), 0)
        existing = payers.due(application_id, vehicle_id)
        if existing is not None and int(existing.due) == fen:
            continue
        vehicle = store.plain(parties[vehicle_id].vehicle)
        person = by_app[application_id]
        if existing is None:
            if fen == 0:
                continue
            item = payer_store.new_due(record.case.case_id, application_id, vehicle_id, at, person_id=person.person_id,
                                       insurer_code=vehicle["insurerCode"], liability=(agreed_liabilities(record) or {})[vehicle_id],
                                       due=fen)
            puts.append(item)
            if application_id not in pointed:
                pointed.add(application_id)
                puts.append(payer_store.pointer(application_id, record.case.case_id))
        else:
            item = existing
            replaces.append((item, payer_store.changed(item, at)))
            item.due = fen
        data = {"caseNumber": record.case.case_id, "applicationId": application_id, "amountDue": fen,
                "liability": item.liability, "liabilitySharePercent": shares.get(vehicle_id, 0),
                "policyNo": vehicle.get("policyNo"), "hospitalCode": person.hospital_code,
                "treatmentStartedAt": store.iso(person.treatment_started_at)}
        puts.append(outbox.event(record.case.case_id, item.insurer_code, "medical.requested", data, at))
        asked.append({"applicationId": application_id, "vehicleId": vehicle_id, "insurerCode": item.insurer_code, "amountDue": fen})
    if not asked:
        return None
    return store.Change(action="MEDICAL_COSTS_REQUESTED", detail={"requests": asked}, puts=puts, replaces=replaces)


def _fund_applications(record: store.CaseRecord, wanted: _Plan, payers: payer_store.Payers, by_app: dict[str, BilledPerson],
                       at: str) -> list[store.Change]:
    changes = []
    calendar = calendars.current()
    today = datetime.fromisoformat(at).astimezone(CHINA).date()
    for application_id, fen in sorted(wanted.fund.items()):
        existing = payers.fund_for(application_id)
        reasons, recover = wanted.reasons[application_id], wanted.recover.get(application_id, {})
        facts: dict[str, Any] = {"requested": fen, "reasons": reasons, "recover": recover}
        if existing is None:
            person = by_app[application_id]
            fund_id = ids.new_fund_application_id()
            answer = answer_by(today, calendar)
            item, pointer = fund_store.new_application(
                record.case.case_id, fund_id, FundStatus.PENDING, at, application_id=application_id, person_id=person.person_id,
                hospital_code=person.hospital_code, jurisdiction=record.case.jurisdiction,
                treatment_started_at=store.iso(person.treatment_started_at), notify_by=notify_by(today, calendar).due.isoformat(),
                notified_at=at, answer_by=answer.due.isoformat(), remind_on=remind_on(today, calendar).isoformat(), **facts)
            detail = {"fundApplicationId": fund_id, "applicationId": application_id, "requested": fen,
                      "reasons": facts["reasons"], "answerBy": item.answer_by, "provisional": answer.provisional}
            changes.append(store.Change(action="FUND_APPLICATION_OPENED", detail=detail, puts=[item, pointer], result=fund_id))
        elif existing.status == FundStatus.PENDING and (int(existing.requested), list(existing.reasons),
                                                        store.plain(existing.recover)) != (fen, reasons, recover):
            condition = payer_store.changed(existing)
            existing.requested, existing.reasons, existing.recover = fen, reasons, recover  # type: ignore[assignment]
            detail = {"fundApplicationId": existing.fund_application_id, "requested": fen, "reasons": reasons}
            changes.append(store.Change(action="FUND_APPLICATION_UPDATED", detail=detail, replaces=[(existing, condition)]))
    return changes


def bills_posted(case_id: str, billed: Sequence[BilledPerson]) -> None:
    """Ask the insurers and open fund applications for what the bills now call for (idempotent)."""
    by_app = {b.application_id: b for b in billed}

    def decide(record: store.CaseRecord) -> list[store.Change]:
        wanted = plan(record, billed)
        payers = payer_store.of_case(case_id)
        at = store.iso(store.utcnow())
        insurers = _insurer_requests(record, wanted, payers, by_app, at)
        return ([insurers] if insurers else []) + _fund_applications(record, wanted, payers, by_app, at)

    store.mutate(PAYERS, case_id, decide)
    from chalicelib.services.medical_payers import fund  # the notice and the run: after the write, retried alike

    fund.follow_up(case_id)
