"""One-tap claim reporting: a claim to each vehicle's insurer, with its 交强险 limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.contracts.claims import ClaimList, ClaimView, ClockView, LimitsView, ReportClaims
from chalicelib.domain import case_status, ids, insurance, workdays
from chalicelib.domain.principals import Principal
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.store import case_items, outbox
from chalicelib.store import cases as store
from chalicelib.store.models import ClaimItem

REPORTABLE = (case_status.DETERMINED, case_status.CONFIRMED, case_status.DISPUTED, case_status.SETTLED)


def _calendar() -> workdays.Calendar:
    return workdays.load_calendar(config.load("holidays"))


def agreed_liabilities(record: store.CaseRecord) -> dict[str, str] | None:
    """The officer's decision, or the parties' agreement once settled."""
    if record.case.determination is not None:
        return dict(record.case.determination.liabilities)
    if record.case.status == case_status.SETTLED and record.case.agreement is not None:
        return dict(record.case.agreement.liabilities)
    return None


def set_clock(claim: ClaimItem, jurisdiction: str, since: datetime) -> None:
    """The insurer's next statutory duty on this claim, indexed while the claim is open."""
    due = insurance.clock_due(claim.status, since, _calendar(), config.load("insurance"))
    case_items.set_claim_clock(claim, jurisdiction, due.duty if due else None, due.due.isoformat() if due else None)


def _mutual(record: store.CaseRecord, liabilities: dict[str, str], losses: dict[str, int | None]) -> bool:
    vehicles = [p.party_id for p in record.parties if p.vehicle is not None]
    screening = store.plain(record.case.screening)
    return insurance.mutual_self_pay(
        liabilities, losses, vehicles, bool(record.case.injuries), bool(screening.get("facility_damaged")), config.load("insurance")
    )


def report_change(
    record: store.CaseRecord, losses: dict[str, int], at: str, liabilities: dict[str, str] | None = None
) -> store.Change | None:
    """Claims for every insured vehicle, or None when they exist already (a second tap)."""
    if record.claims:
        return None
    liabilities = liabilities or agreed_liabilities(record)
    if liabilities is None:
        raise Conflict("claims are reported once liability is determined or agreed", field="status", status=record.case.status)
    limits_config = config.load("insurance")
    mutual = _mutual(record, liabilities, {p.party_id: losses.get(p.party_id) for p in record.parties})
    puts: list[Any] = []
    reported = []
    for party in record.parties:
        vehicle = store.plain(party.vehicle)
        if not vehicle.get("insurerCode"):
            continue  # uninsured: the rescue fund, not a claim (issue on medical direct pay)
        claim_id = ids.new_claim_id()
        claim = case_items.new_claim(
            record.case.case_id,
            claim_id,
            vehicle["insurerCode"],
            at,
            party_id=party.party_id,
            policy_no=vehicle["policyNo"],
            status=insurance.ClaimStatus.REPORTED.value,
            status_since=at,
            liability=liabilities[party.party_id],
            limits=insurance.compulsory_limits(liabilities[party.party_id], limits_config).as_dict(),
            mutual_self_pay=mutual,
            declared_loss=losses.get(party.party_id),
        )
        set_clock(claim, record.case.jurisdiction, datetime.fromisoformat(at))
        pointer = case_items.claim_pointer(claim)
        event = outbox.event(record.case.case_id, claim.insurer_code, "claim.reported", {"claimId": claim_id}, at)
        puts += [claim, pointer, event]
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
        case_status.ensure_status(record.case.status, *REPORTABLE)
        at = store.iso(store.utcnow())
        change = report_change(record, losses, at) or losses_change(record, losses, at)
        return [change] if change else []

    store.mutate(principal, case_id, decide)
    return ClaimList(case_id=case_id, claims=claim_views(store.load_for(principal, case_id).claims))


def claim_view(claim: ClaimItem, now: datetime | None = None) -> ClaimView:
    clock = store.plain(claim.clock) if claim.clock is not None else None
    clock_view = None
    if clock:
        due = insurance.ClockDue(due=datetime.fromisoformat(clock["due"]).date(), duty=clock["duty"])
        clock_view = ClockView(duty=clock["duty"], due=clock["due"], overdue=insurance.is_overdue(due, now or store.utcnow()))
    items = claim.assessed_items
    return ClaimView(
        claim_id=claim.claim_id,
        insurer_code=claim.insurer_code,
        party_id=claim.party_id,
        policy_no=claim.policy_no,
        status=claim.status,
        status_since=claim.status_since,
        reported_at=claim.reported_at,
        liability=claim.liability,
        limits=LimitsView.model_validate(store.plain(claim.limits)),
        mutual_self_pay=bool(claim.mutual_self_pay),
        declared_loss=int(claim.declared_loss) if claim.declared_loss is not None else None,
        assessed_amount=int(claim.assessed_amount) if claim.assessed_amount is not None else None,
        assessed_items=[store.plain(i) if not isinstance(i, dict) else i for i in items] if items is not None else None,
        paid_amount=int(claim.paid_amount) if claim.paid_amount is not None else None,
        paid_at=claim.paid_at,
        documents_requested=list(claim.documents_requested) if claim.documents_requested is not None else None,
        rejection_reason=claim.rejection_reason,
        clock=clock_view,
    )


def claim_views(claims: list[ClaimItem]) -> list[ClaimView]:
    now = store.utcnow()
    return [claim_view(c, now) for c in claims]
