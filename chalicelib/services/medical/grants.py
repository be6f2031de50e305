"""The QR token and the direct-pay notice, through the pure signing rules (`domain/medical_qr`),
the key store (`integrations/qr_keys`) and the notice renderer (`documents/medical`).

Imported on first use: a Lambda that never signs does not load `cryptography` or reportlab.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import ids
from chalicelib.errors import Unavailable

if TYPE_CHECKING:
    from chalicelib.domain.medical_qr import QrGrant  # type: ignore[import-not-found, unused-ignore]


_PARTS = ("chalicelib.domain.medical_qr", "chalicelib.integrations.qr_keys", "chalicelib.documents.medical")


def _ensure_installed() -> None:
    """A deployment without the QR signing part refuses cleanly (503) instead of failing mid-way."""
    missing = [name for name in _PARTS if name not in sys.modules and importlib.util.find_spec(name) is None]
    if missing:
        raise Unavailable("direct-pay QR codes are not available on this deployment", field="qrToken")


def sign(application_id: str, hospital_code: str, now: datetime, validity: timedelta) -> tuple[str, QrGrant]:
    """A new signed token for one application at one hospital, valid for `validity` from `now`."""
    _ensure_installed()
    from chalicelib.domain.medical_qr import QrGrant, sign_grant  # type: ignore[import-not-found, unused-ignore]
    from chalicelib.integrations import qr_keys  # type: ignore[attr-defined, unused-ignore]

    key_id, private_key = qr_keys.signing_key()
    grant = QrGrant(token_id=ids.new_qr_token_id(), application_ref=application_id, hospital_code=hospital_code,
                    issued_at=now, expires_at=now + validity, key_id=key_id)
    return sign_grant(grant, private_key), grant


def verify(token: str, hospital_code: str, now: datetime) -> QrGrant:
    """The grant a genuine, unexpired token for this hospital carries; QrForged, QrExpired or
    QrWrongHospital (4xx domain errors) otherwise."""
    _ensure_installed()
    from chalicelib.domain.medical_qr import verify_grant  # type: ignore[import-not-found, unused-ignore]
    from chalicelib.integrations import qr_keys  # type: ignore[attr-defined, unused-ignore]

    grant: QrGrant = verify_grant(token, qr_keys.public_keys(), now=now, hospital_code=hospital_code)
    return grant


def render_notice(**fields: Any) -> bytes:
    """The 急诊直赔通知书 PDF (fields of `DirectPayNoticeData`)."""
    from chalicelib.documents.medical import (  # type: ignore[import-not-found, unused-ignore]
        DirectPayNoticeData,
        render_direct_pay_notice,
    )

    pdf: bytes = render_direct_pay_notice(DirectPayNoticeData(**fields))
    return pdf
