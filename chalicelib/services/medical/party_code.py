"""The injured party's own direct-pay QR code, drawn for her page (a hospital's scanner reads the
screen): only hers, only while it can still admit her (approved or admitted, not expired)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.documents.layout import qr_svg
from chalicelib.domain.medical import MedicalStatus
from chalicelib.domain.principals import Principal
from chalicelib.errors import NotFound
from chalicelib.services.medical.ledger import visible
from chalicelib.store import cases as store

SHOWN_IN = frozenset({MedicalStatus.APPROVED, MedicalStatus.ADMITTED})


def svg(principal: Principal, case_id: str, application_id: str) -> bytes:
    record = store.load_for(principal, case_id)
    application = next((a for a in visible(principal, record) if a.application_id == application_id), None)
    if application is None:
        raise NotFound("no such direct-pay application for you on this case", field="applicationId")
    expires = datetime.fromisoformat(application.qr_expires_at) if application.qr_expires_at else None
    if application.status not in SHOWN_IN or not application.qr_token or expires is None or expires <= store.utcnow():
        raise NotFound("this application has no valid direct-pay code", field="applicationId")
    return qr_svg(application.qr_token)
