"""What a caller may see of a case: parties other than the caller are masked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from chalicelib.contracts.cases import (
    CaseView,
    EvidenceSummary,
    EvidenceView,
    Location,
    PartyKind,
    PartyView,
    RescueSummary,
    Timeline,
    TimelineEntry,
    TimelineQuery,
    VehicleView,
)
from chalicelib.contracts.determination import SignatureView
from chalicelib.contracts.portal import AuditEntryView, AuditLog, AuditVerification
from chalicelib.domain import audit_chain, case_status, evidence, masking
from chalicelib.domain.principals import Principal, Role
from chalicelib.services import documents
from chalicelib.services import evidence as evidence_service
from chalicelib.services.claims import claim_views
from chalicelib.services.determination import determination_view
from chalicelib.services.intake import eligibility_view
from chalicelib.services.mediation import view as mediation_view
from chalicelib.services.review import review_view
from chalicelib.services.signing import agreement_view
from chalicelib.store import audit, reference
from chalicelib.store import cases as store
from chalicelib.store.models import PartyItem


def _party_view(party: PartyItem, visible: bool) -> PartyView:
    vehicle = party.vehicle.as_dict() if party.vehicle is not None else None
    if vehicle and not visible:
        vehicle = {**vehicle, "plate": masking.mask_plate(vehicle["plate"]), "policyNo": None}
    return PartyView(
        party_id=party.party_id,
        label=evidence.party_label(int(party.position)),
        name=party.name if visible else masking.mask_name(party.name),
        phone=party.phone if visible else masking.mask_phone(party.phone),
        id_type=party.id_type,
        id_number=party.id_number if visible else masking.mask_id_number(party.id_number),
        kind=PartyKind(party.kind),
        vehicle=VehicleView.model_validate(vehicle) if vehicle else None,
        consents_to_remote=party.consents_to_remote,
    )


def _is_me(principal: Principal, party: PartyItem) -> bool:
    return principal.role is Role.WECHAT_USER and party.openid == principal.subject


def case_view(principal: Principal, case_id: str) -> CaseView:
    record = store.load_for(principal, case_id)
    case = record.case
    own_party = principal.subject if principal.role is Role.PARTY else None
    items = evidence_service.checklist(record)
    latest = audit.latest(case_id, audit.RECENT)  # read after the case, once the caller may see it
    return CaseView(
        case_id=case.case_id,
        status=case.status,
        status_since=case.status_since,
        jurisdiction=case.jurisdiction,
        occurred_at=case.occurred_at,
        reported_at=case.reported_at,
        channel=case.channel,
        weather=case.weather,
        location=Location.model_validate(case.location.as_dict()),
        injuries=case.injuries,
        injury_severity=case.injury_severity,
        vehicles_movable=case.vehicles_movable,
        eligibility=eligibility_view(case.eligibility.as_dict()),
        parties=[_party_view(p, principal.is_police or p.party_id == own_party or _is_me(principal, p)) for p in record.parties],
        evidence=EvidenceSummary(
            complete=evidence.is_complete(items),
            checklist=evidence_service.checklist_view(items),
            items=[EvidenceView.model_validate(e, from_attributes=True) for e in sorted(record.evidence, key=lambda e: e.requested_at)],
        ),
        timeline=_timeline_entries(latest),
        timeline_complete=not latest or latest[0].seq == 1,
        determination=determination_view(case.determination) if case.determination is not None else None,
        signatures={pid: SignatureView.model_validate(s) for pid, s in store.plain(case.signatures).items()},
        agreement=agreement_view(case.agreement) if case.agreement is not None else None,
        documents=documents.views(record, principal),
        claims=claim_views(record.claims),
        rescues=[RescueSummary(order_id=r.order_id, party_id=r.party_id, status=r.status, status_since=r.status_since)
                 for r in record.rescues],
        version=int(case.version or 0),
        review=review_view(case.review) if case.review is not None else None,
        mediation=mediation_view(record, principal),
    )


def _timeline_entries(entries: Sequence[audit.Shown | audit_chain.Entry]) -> list[TimelineEntry]:
    """Entries in words; the insurers named in them looked up once (names are kept per container)."""
    codes = {str(e.detail["insurerCode"]) for e in entries if e.detail.get("insurerCode")}
    insurers = reference.names("INSURER", codes)
    return [
        TimelineEntry(at=e.at, action=e.action, actor_role=audit.role_of(e.actor),
                      text=case_status.timeline_text(e.action, e.detail, insurers.get(str(e.detail.get("insurerCode")))))
        for e in entries
    ]


def timeline(principal: Principal, case_id: str, query: TimelineQuery) -> Timeline:
    """The whole history in words, oldest first, a page at a time (the case view shows the latest)."""
    store.load_for(principal, case_id)
    entries, next_token = audit.page(case_id, query.limit, query.next_token)
    return Timeline(entries=_timeline_entries(entries), next_token=next_token)


def audit_log(principal: Principal, case_id: str) -> AuditLog:
    record = store.load_for(principal, case_id)
    entries = audit.entries(case_id)
    result = audit_chain.verify(entries, expected_head=record.case.audit_head)
    return AuditLog(
        case_id=case_id,
        head=record.case.audit_head,
        entries=[AuditEntryView.model_validate(asdict(entry)) for entry in entries],
        verification=AuditVerification.model_validate(asdict(result)),
    )
