"""What an insurer (and a supervisor) may see and do: its own cases and claims, its delivery
log, overdue claims, and the rotation of its signing secret."""

from __future__ import annotations

from chalicelib.contracts.claims import (
    DeliveryLog,
    DeliveryQuery,
    DeliveryView,
    InsurerCaseView,
    OverdueClaim,
    OverdueClaims,
    RotatedSecret,
)
from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.integrations import insurer_secrets
from chalicelib.services import documents
from chalicelib.services.claims import agreed_liabilities, claim_views
from chalicelib.services.fnol import party_for_insurer
from chalicelib.services.rescue.order import order_view
from chalicelib.store import case_items, reference
from chalicelib.store import cases as store
from chalicelib.store import deliveries as delivery_log


def case_for_insurer(principal: Principal, case_id: str) -> InsurerCaseView:
    """Only cases where this insurer covers a vehicle (else 404), and only its own claims."""
    record = store.load_for(principal, case_id)
    insured = {p.party_id for p in record.insured_by(principal.org or "")}
    liabilities = agreed_liabilities(record) or {}
    parties = [party_for_insurer(p, p.party_id in insured, liabilities) for p in record.parties]
    case = record.case
    return InsurerCaseView(
        case_id=case.case_id,
        status=case.status,
        occurred_at=case.occurred_at,
        location=store.plain(case.location),
        weather=case.weather,
        liabilities=liabilities,
        parties=parties,
        claims=claim_views([c for c in record.claims if c.insurer_code == principal.org]),
        documents=[d.model_dump(by_alias=True) for d in documents.views(record, principal)],
        rescues=[order_view(o) for o in record.rescues if o.insurer_code == principal.org],
    )


def deliveries(principal: Principal, query: DeliveryQuery) -> DeliveryLog:
    if principal.role is Role.INSURER:
        if query.insurer_code and query.insurer_code != principal.org:
            raise Forbidden("an insurer reads only its own deliveries", field="insurerCode")
        code = principal.org or ""
    else:
        if not query.insurer_code:
            raise ValidationFailed("is required for a supervisor", field="insurerCode")
        code = query.insurer_code
    lines, next_token = delivery_log.page(code, query.limit, query.next_token)
    items = [
        DeliveryView(
            outbox_id=d.outbox_id, webhook_id=d.webhook_id, insurer_code=d.insurer_code, topic=d.topic, case_id=d.case_id,
            attempt=int(d.attempt), at=d.at, outcome=d.outcome,
            status_code=int(d.status_code) if d.status_code is not None else None, error=d.error,
            ms=float(d.ms) if d.ms is not None else None,
        )
        for d in lines
    ]
    return DeliveryLog(insurer_code=code, deliveries=items, next_token=next_token)


def overdue(principal: Principal, limit: int) -> OverdueClaims:
    """Open claims whose insurer-clock duty fell due before today (China date)."""
    if not principal.jurisdiction:
        raise Forbidden("this account belongs to no police unit", field="jurisdiction")
    today = store.utcnow().astimezone(CHINA).date().isoformat()
    claims = case_items.overdue_claims(principal.jurisdiction, today, limit)
    return OverdueClaims(
        jurisdiction=principal.jurisdiction,
        claims=[
            OverdueClaim(
                case_id=c.case_id, claim_id=c.claim_id, insurer_code=c.insurer_code, status=c.status,
                duty=c.clock.duty, due=c.clock.due,
            )
            for c in claims
            if c.clock is not None
        ],
    )


def rotate_secret(insurer_code: str) -> RotatedSecret:
    if not reference.existing_codes("INSURER", [insurer_code]):
        raise NotFound("no such insurer", field="insurerCode")
    secret, until = insurer_secrets.rotate(insurer_code)
    return RotatedSecret(insurer_code=insurer_code, secret=secret, previous_valid_until=until)


