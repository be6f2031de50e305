"""What goes on the mediation agreement (调解书) and the termination (调解终结书), gathered from the
case; the PDFs are drawn by `chalicelib.documents.mediation` (its interface names), imported where
they are rendered so that this one place is what a test or another renderer replaces."""

from __future__ import annotations

from datetime import date
from importlib import import_module
from typing import Any

from chalicelib.domain import evidence
from chalicelib.domain.beijing_time import local
from chalicelib.domain.mediation import Mediation, Settlement
from chalicelib.services import letters
from chalicelib.store.cases import CaseRecord

REASON_TEXT = {
    "PARTY_ABSENT": "当事人无正当理由不参加调解",
    "WITHDRAWN": "当事人撤回调解申请",
    "PARTY_SUED": "当事人向人民法院提起民事诉讼",
    "NO_AGREEMENT_IN_TIME": "调解开始之日起十日内未达成调解协议",
}


def _mediation_module() -> Any:
    """R2's renderers (issue 13), `chalicelib.documents.mediation`, by their interface names."""
    return import_module("chalicelib.documents.mediation")


def _labels(record: CaseRecord) -> dict[str, tuple[str, str]]:
    return {p.party_id: (evidence.party_label(int(p.position)), p.name) for p in record.parties}


def agreement_number(record: CaseRecord) -> str:
    prefix = letters.unit(record.case.jurisdiction).get("documentPrefix", "")
    return f"{prefix}调字〔{local(record.case.reported_at).year}〕第{record.case.case_id}号"


def termination_number(record: CaseRecord) -> str:
    prefix = letters.unit(record.case.jurisdiction).get("documentPrefix", "")
    return f"{prefix}调终字〔{local(record.case.reported_at).year}〕第{record.case.case_id}号"


def render_agreement(record: CaseRecord, mediation: Mediation, settlement: Settlement, document_id: str, concluded_at: str) -> bytes:
    documents = _mediation_module()
    labels = _labels(record)
    data = documents.MediationAgreementData(
        document_number=agreement_number(record),
        case_number=record.case.case_id,
        issuing_unit=letters.unit(record.case.jurisdiction)["name"],
        mediator=mediation.mediator_name or "",
        basis=settlement.basis,
        facts=settlement.facts,
        losses=settlement.losses,
        items=tuple(documents.AgreedItem(name=i.name, amount_fen=i.amount_fen) for i in settlement.items),
        shares=tuple(documents.AgreedShare(party_label=labels[s.party_id][0], party_name=labels[s.party_id][1],
                                           amount_fen=s.amount_fen) for s in settlement.shares),
        payment_method=settlement.payment_method,
        payment_deadline=date.fromisoformat(settlement.payment_deadline),
        signatories=tuple(
            documents.SignatoryLine(party_label=label, party_name=name,
                                    signature=f"已签字 {local(settlement.signatures[pid]):%Y-%m-%d %H:%M}")
            for pid, (label, name) in labels.items()
        ),
        concluded_at=local(concluded_at),
        verify_url=letters.verify_url(document_id),
    )
    return bytes(documents.render_mediation_agreement(data))


def render_termination(record: CaseRecord, mediation: Mediation, reason: str, reason_text: str, document_id: str,
                       ended_at: str) -> bytes:
    documents = _mediation_module()
    reasons = import_module("chalicelib.domain.mediation_terms").TerminationReason  # R2's enum of the reasons

    attended = {p.side: p.attended for p in mediation.participants if p.kind == "PARTY"}
    started = mediation.started_at or mediation.requested_at or ended_at
    data = documents.MediationTerminationData(
        document_number=termination_number(record),
        case_number=record.case.case_id,
        issuing_unit=letters.unit(record.case.jurisdiction)["name"],
        mediator=mediation.mediator_name or "",
        reason=reasons(reason),
        reason_text=f"{REASON_TEXT[reason]}：{reason_text}",
        facts=record.case.determination.facts if record.case.determination else "",
        started_at=local(started),
        ended_at=local(ended_at),
        signatories=tuple(
            documents.SignatoryLine(party_label=label, party_name=name,
                                    signature={True: "到场", False: "未到场"}.get(attended.get(pid), "—"))  # type: ignore[arg-type]
            for pid, (label, name) in _labels(record).items()
        ),
        verify_url=letters.verify_url(document_id),
    )
    return bytes(documents.render_mediation_termination(data))
