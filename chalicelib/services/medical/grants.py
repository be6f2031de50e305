"""The QR token and the direct-pay notice, through the pure signing rules (`domain/medical_qr`),
the key store (`integrations/qr_keys`) and the notice renderer (`documents/medical`).

Imported on first use: a Lambda that never signs does not load `cryptography` or reportlab.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import ids

if TYPE_CHECKING:
    from chalicelib.domain.medical_qr import QrGrant


def sign(application_id: str, hospital_code: str, now: datetime, validity: timedelta) -> tuple[str, QrGrant]:
    """A new signed token for one application at one hospital, valid for `validity` from `now`."""
    from chalicelib.domain.medical_qr import QrGrant, sign_grant
    from chalicelib.integrations import qr_keys

    key_id, private_key = qr_keys.signing_key()
    grant = QrGrant(token_id=ids.new_qr_token_id(), application_ref=application_id, hospital_code=hospital_code,
                    issued_at=now, expires_at=now + validity, key_id=key_id)
    return sign_grant(grant, private_key), grant


def verify(token: str, hospital_code: str, now: datetime) -> QrGrant:
    """The grant a genuine, unexpired token for this hospital carries; QrForged, QrExpired or
    QrWrongHospital (4xx domain errors) otherwise."""
    from chalicelib.domain.medical_qr import verify_grant
    from chalicelib.integrations import qr_keys

    grant: QrGrant = verify_grant(token, qr_keys.public_keys(), now=now, hospital_code=hospital_code)
    return grant


def render_notice(**fields: Any) -> bytes:
    """The 急诊直赔通知书 PDF (fields of `DirectPayNoticeData`)."""
    from chalicelib.documents.medical import (
        DirectPayNoticeData,
        render_direct_pay_notice,
    )

    pdf: bytes = render_direct_pay_notice(DirectPayNoticeData(**fields))
    return pdf
