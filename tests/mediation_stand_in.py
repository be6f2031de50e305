"""A minimal stand-in for R2's `chalicelib/documents/mediation.py` and `chalicelib/domain/mediation_terms.py`
(issue 13), installed by the mediation tests ONLY while those modules are absent on this branch: the
interface's names and fields, each field printed as a line of text so pypdf reads it back. Once the
branches are merged the real renderers are used and this file is not imported."""

from __future__ import annotations

import dataclasses
import io
import types
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class TerminationReason(StrEnum):
    PARTY_ABSENT = "PARTY_ABSENT"
    WITHDRAWN = "WITHDRAWN"
    PARTY_SUED = "PARTY_SUED"
    NO_AGREEMENT_IN_TIME = "NO_AGREEMENT_IN_TIME"


@dataclass(frozen=True)
class AgreedItem:
    name: str
    amount_fen: int


@dataclass(frozen=True)
class AgreedShare:
    party_label: str
    party_name: str
    amount_fen: int


@dataclass(frozen=True)
class SignatoryLine:
    party_label: str
    party_name: str
    signature: str


@dataclass(frozen=True)
class MediationAgreementData:
    document_number: str
    case_number: str
    issuing_unit: str
    mediator: str
    basis: str
    facts: str
    losses: str
    items: tuple[AgreedItem, ...]
    shares: tuple[AgreedShare, ...]
    payment_method: str
    payment_deadline: date
    signatories: tuple[SignatoryLine, ...]
    concluded_at: datetime
    verify_url: str


@dataclass(frozen=True)
class MediationTerminationData:
    document_number: str
    case_number: str
    issuing_unit: str
    mediator: str
    reason: str
    reason_text: str
    facts: str
    started_at: datetime
    ended_at: datetime
    signatories: tuple[SignatoryLine, ...]
    verify_url: str


def _lines(value: object) -> list[str]:
    if dataclasses.is_dataclass(value):
        return [" ".join(str(getattr(value, f.name)) for f in dataclasses.fields(value))]
    if isinstance(value, tuple):
        return [line for entry in value for line in _lines(entry)]
    return [str(value)]


def _pdf(title: str, data: object) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.setFont("STSong-Light", 10)
    y = 800
    for line in [title] + [text for f in dataclasses.fields(data) for text in _lines(getattr(data, f.name))]:  # type: ignore[arg-type]
        page.drawString(40, y, line[:90])
        y -= 14
    page.save()
    return out.getvalue()


def render_mediation_agreement(data: MediationAgreementData) -> bytes:
    return _pdf("道路交通事故损害赔偿调解书", data)


def render_mediation_termination(data: MediationTerminationData) -> bytes:
    return _pdf("道路交通事故损害赔偿调解终结书", data)


def missing_modules() -> dict[str, types.ModuleType]:
    """R2's modules as stand-ins, by their import names, when they are absent (else nothing)."""
    try:
        import chalicelib.documents.mediation
        import chalicelib.domain.mediation_terms  # noqa: F401

        return {}
    except ImportError:
        pass
    documents = types.ModuleType("chalicelib.documents.mediation")
    for name in ("AgreedItem", "AgreedShare", "SignatoryLine", "MediationAgreementData", "MediationTerminationData",
                 "render_mediation_agreement", "render_mediation_termination"):
        setattr(documents, name, globals()[name])
    terms = types.ModuleType("chalicelib.domain.mediation_terms")
    terms.TerminationReason = TerminationReason  # type: ignore[attr-defined]
    return {"chalicelib.documents.mediation": documents, "chalicelib.domain.mediation_terms": terms}
