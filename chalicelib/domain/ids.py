"""Identifiers: random, unguessable, short enough to read over the phone."""

from __future__ import annotations

import secrets
from datetime import datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def _random(length: int) -> str:
    """`length` characters from one draw of 5 bits each (uniform, as one `choice` per character
    was, without a call to the system's random source per character)."""
    drawn = secrets.randbits(5 * length)
    return "".join(_ALPHABET[(drawn >> (5 * i)) & 31] for i in range(length))


def new_case_id(reported_at: datetime) -> str:
    return f"YC{reported_at:%y%m%d}{_random(8)}"


def new_party_id() -> str:
    return f"P{_random(8)}"


def new_evidence_id() -> str:
    return f"EV{_random(10)}"


def new_token_id() -> str:
    return _random(16)


def new_outbox_id() -> str:
    return f"OB{_random(16)}"


def new_document_id() -> str:
    return f"DOC{_random(13)}"


def new_claim_id() -> str:
    return f"CL{_random(12)}"


def new_webhook_id() -> str:
    return f"msg_{_random(20)}"


def new_rescue_id() -> str:
    return f"RS{_random(12)}"


def new_handoff_id() -> str:
    return f"HO{_random(12)}"


def new_referral_id() -> str:
    return f"RF{_random(12)}"


def new_fund_application_id() -> str:
    return f"FA{_random(12)}"


def new_review_id() -> str:
    return f"RV{_random(12)}"


def new_mediation_id() -> str:
    return f"MD{_random(12)}"


def new_participant_id() -> str:
    return f"PT{_random(8)}"


def new_medical_id() -> str:
    """An application id as the QR token carries it: random, no case id, no personal data."""
    return f"MA{_random(16)}"


def new_admission_id() -> str:
    return f"AD{_random(12)}"


def new_qr_token_id() -> str:
    return f"QR{_random(16)}"
