"""What goes on the mediation agreement (调解书) and the termination (调解终结书), gathered from the
case; the PDFs are drawn by `chalicelib.documents.mediation`, imported only to draw one (ADR 0039)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain import evidence
from chalicelib.domain.beijing_time import local
from chalicelib.domain.mediation import Mediation, Settlement
from chalicelib.domain.mediation_terms import TerminationReason
from chalicelib.services import letters
from chalicelib.store.cases import CaseRecord


def _labels(record: CaseRecord) -> dict[str, tuple[str, str]]:
    return {p.party_id: (evidence.party_label(int(p.position)), p.name) for p in record.parties}


def agreement_number(record: CaseRecord) -> str:
    prefix = letters.unit(record.case.jurisdiction).get("documentPrefix", "")
    return f"{prefix}调字〔{local(record.case.reported_at).year}〕第{record.case.case_id}号"


def termination_number(record: CaseRecord) -> str:
    prefix = letters.unit(record.case.jurisdiction).get("documentPrefix", "")
    return f"{prefix}调终字〔{local(record.case.reported_at).year}〕第{record.case.case_id}号"


def render_agreement(record: CaseRecord, mediation: Mediation, settlement: Settlement, document_id: str, concluded_at: str) -> bytes:
    from chalicelib.documents import mediation as documents

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
    from chalicelib.documents import mediation as documents

    attended = {p.side: p.attended for p in mediation.participants if p.kind == "PARTY"}
    started = mediation.started_at or mediation.requested_at or ended_at
    data = documents.MediationTerminationData(
        document_number=termination_number(record),
        case_number=record.case.case_id,
        issuing_unit=letters.unit(record.case.jurisdiction)["name"],
        mediator=mediation.mediator_name or "",
        reason=TerminationReason(reason),
        reason_text=reason_text,  # printed under the regulation's wording of the reason
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
