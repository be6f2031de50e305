"""Stand-ins for the QR signing, key store and notice renderer of issue 12's pure part, built on
another branch (interfaces in the issue's interface note). Installed only while the real modules
are absent, so once the branches meet the tests run against the real ones unchanged."""

from __future__ import annotations

import base64
import importlib.machinery
import importlib.util
import json
import sys
import types
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from chalicelib.errors import DomainError

_REAL = ("chalicelib.domain.medical_qr", "chalicelib.integrations.qr_keys", "chalicelib.documents.medical")


class QrForged(DomainError):
    status = 400


class QrExpired(DomainError):
    status = 410


class QrWrongHospital(DomainError):
    status = 403


@dataclass(frozen=True)
class QrGrant:
    token_id: str
    application_ref: str
    hospital_code: str
    issued_at: datetime
    expires_at: datetime
    key_id: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_grant(grant: QrGrant, private_key: Any) -> str:
    body = json.dumps({k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(grant).items()}).encode()
    return f"{_b64(body)}.{_b64(private_key.sign(body))}"


def verify_grant(token: str, public_keys: Any, *, now: datetime, hospital_code: str | None) -> QrGrant:
    from cryptography.exceptions import InvalidSignature

    try:
        body_text, signature = token.split(".")
        body = _unb64(body_text)
        fields = json.loads(body)
        public_keys[fields["key_id"]].verify(_unb64(signature), body)
        grant = QrGrant(**{k: datetime.fromisoformat(v) if k.endswith("_at") else v for k, v in fields.items()})
    except (ValueError, KeyError, TypeError, InvalidSignature) as error:
        raise QrForged("the QR code is not genuine", field="token") from error
    if now >= grant.expires_at:
        raise QrExpired("the QR code has expired", field="token")
    if hospital_code is not None and grant.hospital_code != hospital_code:
        raise QrWrongHospital("the QR code is for another hospital", field="token")
    return grant


_KEYS: dict[str, Any] = {}


def signing_key() -> tuple[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not _KEYS:
        _KEYS["stand-in-1"] = Ed25519PrivateKey.generate()
    return "stand-in-1", _KEYS["stand-in-1"]


def public_keys() -> dict[str, Any]:
    signing_key()
    return {kid: key.public_key() for kid, key in _KEYS.items()}


@dataclass(frozen=True)
class DirectPayNoticeData:
    document_number: str
    case_number: str
    issuing_unit: str
    officer_badge: str
    hospital_name: str
    injured_masked: str
    injury_description: str
    qr_token: str
    valid_until: datetime
    issued_at: datetime
    verify_url: str


def render_direct_pay_notice(data: DirectPayNoticeData) -> bytes:
    return b"%PDF-1.4\n% stand-in direct-pay notice\n" + json.dumps(asdict(data), default=str, ensure_ascii=False).encode()


def install_if_absent() -> None:
    contents = {
        _REAL[0]: {"QrGrant": QrGrant, "sign_grant": sign_grant, "verify_grant": verify_grant},
        _REAL[1]: {"signing_key": signing_key, "public_keys": public_keys},
        _REAL[2]: {"DirectPayNoticeData": DirectPayNoticeData, "render_direct_pay_notice": render_direct_pay_notice},
    }
    for name, attributes in contents.items():
        if name in sys.modules or importlib.util.find_spec(name) is not None:
            continue
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        module.__dict__.update(attributes)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)


def forge(token: str) -> str:
    """The token with one character of its signature changed."""
    body, signature = token.rsplit(".", 1)
    return f"{body}.{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"
