"""What goes on the letter and the agreement, gathered from the case (the PDFs render it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from chalicelib import config
from chalicelib.documents.model import AgreementData, LetterData, PartyLine
from chalicelib.domain import evidence
from chalicelib.domain.beijing_time import CHINA, local
from chalicelib.domain.decisions import Agreement, Determination, Signature
from chalicelib.domain.liability import Liability
from chalicelib.services import liability_terms, notices
from chalicelib.settings import get_settings
from chalicelib.store import reference
from chalicelib.store.cases import CaseRecord, plain

KIND_LABELS = {"MOTOR": "机动车", "NON_MOTOR": "非机动车", "PEDESTRIAN": "行人"}


def unit(jurisdiction: str) -> dict[str, Any]:
    return next(u for u in config.load("jurisdictions")["units"] if u["code"] == jurisdiction)


def verify_url(document_id: str) -> str:
    return f"{get_settings().public_base_url}/verify/{document_id}"


def _signature_text(signature: Signature | None) -> str:
    if signature is None:
        return "待签字"
    at = local(signature.at).strftime("%Y-%m-%d %H:%M")
    return f"已签字 {at}" if signature.accept else f"拒绝签字（{at}）：{signature.reason or ''}"


def party_lines(
    record: CaseRecord,
    liabilities: dict[str, str],
    parts: dict[str, str | None],
    signatures: dict[str, Signature],
) -> tuple[PartyLine, ...]:
    insurers = reference.names("INSURER", set(record.insurer_codes()))
    lines = []
    for party in record.parties:
        vehicle = party.vehicle.as_dict() if party.vehicle is not None else {}
        lines.append(
            PartyLine(
                label=evidence.party_label(int(party.position)),
                name=party.name,
                id_number=party.id_number,
                phone=party.phone,
                kind=KIND_LABELS.get(party.kind, party.kind),
                vehicle_type=vehicle.get("type"),
                plate=vehicle.get("plate"),
                insurer=insurers.get(vehicle.get("insurerCode") or "", vehicle.get("insurerCode")),
                policy_no=vehicle.get("policyNo"),
                collision_part=parts.get(party.party_id),
                liability=Liability(liabilities[party.party_id]).label,
                signature=_signature_text(signatures.get(party.party_id)),
            )
        )
    return tuple(lines)


def refusal_lines(record: CaseRecord, signatures: dict[str, Signature]) -> tuple[str, ...]:
    lines = []
    for party in record.parties:
        signature = signatures.get(party.party_id)
        if signature and not signature.accept:
            at = local(signature.at).strftime("%Y年%m月%d日%H时%M分")
            who = f"{evidence.party_label(int(party.position))}{party.name}"
            lines.append(f"{who}于{at}拒绝签字，理由：{signature.reason or '未说明'}")
    return tuple(lines)


def letter_number(record: CaseRecord, revision: int) -> str:
    prefix = unit(record.case.jurisdiction).get("documentPrefix", "")
    year = local(record.case.reported_at).year
    suffix = "" if revision == 1 else f"（第{revision}版）"
    return f"{prefix}简认字〔{year}〕第{record.case.case_id}号{suffix}"


def agreement_number(record: CaseRecord) -> str:
    return f"云车通协字〔{local(record.case.reported_at).year}〕第{record.case.case_id}号"


def signatures_of(record: CaseRecord) -> dict[str, Signature]:
    """The parties' answers to the letter."""
    return {pid: Signature.model_validate(s) for pid, s in plain(record.case.signatures).items()}


SERVED_BY = {"SIGNED": "签收送达", "REFUSED": "拒绝签字（已送达）", "NOTICE_DELIVERED": "通知送达"}


def party_deadline_lines(record: CaseRecord, determination: Determination) -> tuple[str, ...]:
    """Each served party's own deadlines, in the order the parties were reported."""
    lines = []
    for party in record.parties:
        own = determination.party_deadlines.get(party.party_id)
        if own is None:
            continue
        mark = "（暂定）" if own.provisional else ""
        how = SERVED_BY.get(own.served_by or "", "送达")
        lines.append(
            f"{evidence.party_label(int(party.position))}{party.name}：{notices.day(own.served_on)}{how}，"
            f"复核申请截止{notices.day(own.review_by)}，调解申请截止{notices.day(own.mediation_request_by)}{mark}"
        )
    return tuple(lines)


def redo_note(revision: int, superseded_number: str) -> str:
    """What a letter made again after a review (REDO) says of the one it replaces."""
    return f"本认定书为第{revision}版，经复核重新作出，撤销并替代{superseded_number}（第七十八条）"


def letter(
    record: CaseRecord, determination: Determination, document_id: str, revision: int, note: str | None = None
) -> LetterData:
    """`note` replaces the re-issue note of a revision after the first (a new determination after review)."""
    case = record.case
    signatures = signatures_of(record)
    deadlines = determination.deadlines
    refusals = refusal_lines(record, signatures)
    return LetterData(
        document_number=letter_number(record, revision),
        issuing_unit=unit(case.jurisdiction)["name"],
        officer_badge=determination.officer_badge,
        issued_at=local(determination.determined_at) if revision == 1 else datetime.now(CHINA),
        occurred_at=local(case.occurred_at),
        place=case.location.as_dict()["address"],
        weather=case.weather,
        accident_form=determination.accident_form,
        scenario=f"{determination.scenario_label}：{determination.scenario_description}",
        facts=determination.facts,
        parties=party_lines(record, determination.liabilities, determination.collision_parts, signatures),
        review_deadline=date.fromisoformat(deadlines.review_by),
        mediation_deadline=date.fromisoformat(deadlines.mediation_request_by),
        verify_url=verify_url(document_id),
        refusals=refusals,
        reissue_note=note or (
            f"本认定书为第{revision}版，于{datetime.now(CHINA):%Y年%m月%d日}重新出具，记载当事人拒绝签字情况（第二十四条第三款）"
            if revision > 1
            else None
        ),
        provisional_note=notices.text("deadline.provisional") if liability_terms.provisional(determination) else None,
        party_deadlines=party_deadline_lines(record, determination),
    )


def agreement(record: CaseRecord, agreement_terms: Agreement, document_id: str, concluded_at: str) -> AgreementData:
    case = record.case
    return AgreementData(
        document_number=agreement_number(record),
        concluded_at=local(concluded_at),
        occurred_at=local(case.occurred_at),
        place=case.location.as_dict()["address"],
        weather=case.weather,
        accident_form=agreement_terms.accident_form,
        scenario=f"{agreement_terms.scenario_label}：{agreement_terms.scenario_description}",
        facts=agreement_terms.facts,
        parties=party_lines(record, agreement_terms.liabilities, agreement_terms.collision_parts, agreement_terms.signatures),
        verify_url=verify_url(document_id),
    )
