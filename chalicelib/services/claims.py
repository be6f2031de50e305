"""One-tap claim reporting: a claim to each vehicle's insurer, with its 交强险 limits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib import config
from chalicelib.contracts.claims import ClaimList, ClaimView, ClockView, ReportClaims
from chalicelib.domain import case_status, ids, insurance, workdays
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.claim import Claim, ClaimClock, ClaimLimits
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.services import access
from chalicelib.services import calendar as calendars
from chalicelib.store import cases as store
from chalicelib.store import outbox

REPORTABLE = (case_status.DETERMINED, case_status.CONFIRMED, case_status.DISPUTED, case_status.SETTLED)


def agreed_liabilities(record: store.CaseRecord) -> dict[str, str] | None:
    """The officer's decision, or the parties' agreement once settled."""
    if record.case.determination is not None:
        return dict(record.case.determination.liabilities)
    if record.case.status == case_status.SETTLED and record.case.agreement is not None:
        return dict(record.case.agreement.liabilities)
    return None


def accident_date(record: store.CaseRecord) -> date:
    """The accident's day in China: the 交强险 limits in force that day apply."""
    return datetime.fromisoformat(record.case.occurred_at).astimezone(CHINA).date()


def set_clock(claim: Claim, since: datetime, calendar: workdays.Calendar | None = None) -> None:
    """The insurer's next statutory duty on this claim (listed for the unit while one is due);
    provisional when the count ran through a year whose holidays are not loaded yet."""
    calendar = calendar or calendars.current()
    due = insurance.clock_due(claim.status, since, calendar, config.load("insurance"))
    if due is None:
        claim.clock = None
        return
    provisional = workdays.first_uncovered_year(since.astimezone(CHINA).date(), due.due, calendar) is not None
    claim.clock = ClaimClock(duty=due.duty, due=due.due.isoformat(), provisional=provisional)


def _mutual(record: store.CaseRecord, liabilities: dict[str, str], losses: dict[str, int | None]) -> bool:
    parties = []
    for party in record.parties:
        vehicle = store.plain(party.vehicle) if party.vehicle is not None else {}
        insured = bool(vehicle.get("insurerCode") and vehicle.get("policyNo"))
        parties.append(insurance.AccidentParty(party.party_id, motor=party.kind == "MOTOR", insured=insured))
    screening = store.plain(record.case.screening)
    return insurance.mutual_self_pay(
        liabilities, losses, parties, bool(record.case.injuries), bool(screening.get("facility_damaged")), config.load("insurance")
    )


def report_change(
    record: store.CaseRecord,
    losses: dict[str, int],
    at: str,
    liabilities: dict[str, str] | None = None,
    calendar: workdays.Calendar | None = None,
) -> store.Change | None:
    """Claims for every insured vehicle, or None when they exist already (a second tap).

    `calendar` is the one the caller already read, if any: it is read once, not once per claim."""
    if record.claims:
        return None
    liabilities = liabilities or agreed_liabilities(record)
    if liabilities is None:
        raise Conflict("claims are reported once liability is determined or agreed", field="status", status=record.case.status)
    limits_config = config.load("insurance")
    calendar = calendar or calendars.current()
    mutual = _mutual(record, liabilities, {p.party_id: losses.get(p.party_id) for p in record.parties})
    puts: list[Any] = []
    reported = []
    for party in record.parties:
        vehicle = store.plain(party.vehicle)
        if not vehicle.get("insurerCode"):
            continue  # uninsured: the rescue fund, not a claim (issue on medical direct pay)
        claim_id = ids.new_claim_id()
        limits = insurance.compulsory_limits(liabilities[party.party_id], limits_config, accident_date(record))
        claim = Claim(
            claim_id=claim_id,
            case_id=record.case.case_id,
            insurer_code=vehicle["insurerCode"],
            reported_at=at,
            party_id=party.party_id,
            policy_no=vehicle["policyNo"],
            status=insurance.ClaimStatus.REPORTED.value,
            status_since=at,
            liability=liabilities[party.party_id],
            limits=ClaimLimits(death_disability=limits.death_disability, medical=limits.medical, property=limits.property),
            mutual_self_pay=mutual,
            declared_loss=losses.get(party.party_id),
        )
        set_clock(claim, datetime.fromisoformat(at), calendar)
        event = outbox.event(record.case.case_id, claim.insurer_code, "claim.reported", {"claimId": claim_id}, at)
        puts += [claim, event]
        reported.append({"claimId": claim_id, "insurerCode": claim.insurer_code, "partyId": party.party_id})
    if not reported:
        return None
    return store.Change(action="CLAIMS_REPORTED", detail={"claims": reported, "mutualSelfPay": mutual}, puts=puts)


def losses_change(record: store.CaseRecord, losses: dict[str, int], at: str) -> store.Change | None:
    """Losses declared after the claims were reported (they are reported automatically on the
    determination): kept on the claims not yet assessed, and 互碰自赔 re-evaluated."""
    open_claims = [c for c in record.claims if c.status in (insurance.ClaimStatus.REPORTED, insurance.ClaimStatus.ACCEPTED,
                                                            insurance.ClaimStatus.DOCUMENTS_REQUESTED)]
    fresh = {c.party_id: losses[c.party_id] for c in open_claims if c.declared_loss is None and c.party_id in losses}
    if not fresh:
        return None
    known = {c.party_id: int(c.declared_loss) for c in record.claims if c.declared_loss is not None} | fresh
    liabilities = agreed_liabilities(record) or {}
    mutual = _mutual(record, liabilities, {p.party_id: known.get(p.party_id) for p in record.parties})
    replaces: list[Any] = []
    puts: list[Any] = []
    for claim in open_claims:
        status = claim.status
        claim.declared_loss = fresh.get(claim.party_id, claim.declared_loss)
        claim.mutual_self_pay = mutual
        replaces.append((claim, status))
        data = {"claimId": claim.claim_id, "declaredLoss": claim.declared_loss, "mutualSelfPay": mutual}
        puts.append(outbox.event(record.case.case_id, claim.insurer_code, "claim.updated", data, at))
    return store.Change(action="LOSSES_DECLARED", detail={"losses": fresh, "mutualSelfPay": mutual}, puts=puts, replaces=replaces)


def report(principal: Principal, case_id: str, body: ReportClaims) -> ClaimList:
    try:
        losses = body.losses()
    except ValueError as error:
        raise ValidationFailed(str(error), field="declaredLosses") from error

    def decide(record: store.CaseRecord) -> list[store.Change]:
        unknown = set(losses) - {p.party_id for p in record.parties if p.vehicle is not None}
        if unknown:
            raise ValidationFailed(f"names no vehicle of this case: {', '.join(sorted(unknown))}", field="declaredLosses")
        for party_id in losses:
            access.ensure_acts_for(principal, record, party_id, field="declaredLosses")
        case_status.ensure_status(record.case.status, *REPORTABLE)
        at = store.iso(store.utcnow())
        change = report_change(record, losses, at) or losses_change(record, losses, at)
        return [change] if change else []

    return ClaimList(case_id=case_id, claims=claim_views(store.mutate(principal, case_id, decide).record.claims))


def claim_view(claim: Claim, now: datetime | None = None) -> ClaimView:
    clock = None
    if claim.clock is not None:
        due = insurance.ClockDue(due=datetime.fromisoformat(claim.clock.due).date(), duty=claim.clock.duty)
        clock = ClockView(duty=claim.clock.duty, due=claim.clock.due, overdue=insurance.is_overdue(due, now or store.utcnow()),
                          provisional=claim.clock.provisional)
    return ClaimView.model_validate({**claim.model_dump(exclude={"clock"}), "clock": clock})


def claim_views(claims: list[Claim]) -> list[ClaimView]:
    now = store.utcnow()
    return [claim_view(c, now) for c in claims]
