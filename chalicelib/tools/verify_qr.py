"""Verify a direct-pay QR token offline, as a hospital would:

    python -m chalicelib.tools.verify_qr TOKEN [--keys FILE_OR_URL] [--hospital CODE]

`--keys` is the published JWK set (`/.well-known/medical-qr-keys`), a file or a URL (default: that
path under PUBLIC_BASE_URL). Prints the grant as JSON and exits 0, or prints the reason
(`QrForged`, `QrExpired`, `QrWrongHospital`) on stderr and exits 1. Any JOSE library does the same
with the same key set: the token is a JWS signed with EdDSA (ADR 0017).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.domain.medical_qr import verify_grant
from chalicelib.errors import DomainError

KEYS_PATH = "/.well-known/medical-qr-keys"
REFUSED = 1


def _document(source: str) -> dict[str, Any]:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as reply:  # noqa: S310 - scheme checked above
            return dict(json.loads(reply.read()))
    return dict(json.loads(Path(source).read_text(encoding="utf-8")))


def public_keys(document: dict[str, Any]) -> dict[str, Any]:
    """Key id → Ed25519 public key, from a published JWK set."""
    import jwt

    return {key.key_id: key.key for key in jwt.PyJWKSet.from_dict(document).keys if key.key_id}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.tools.verify_qr", description="Verify a direct-pay QR token offline.")
    parser.add_argument("token")
    parser.add_argument("--keys", help="the published key set: a file or a URL")
    parser.add_argument("--hospital", help="refuse a token issued for another hospital")
    arguments = parser.parse_args(argv)
    source = arguments.keys
    if source is None:
        from chalicelib.settings import get_settings

        source = get_settings().public_base_url.rstrip("/") + KEYS_PATH
    keys = public_keys(_document(source))
    try:
        grant = verify_grant(arguments.token.strip(), keys, now=datetime.now(UTC), hospital_code=arguments.hospital)
    except DomainError as refused:
        print(f"{refused.code}: {refused.message}", file=sys.stderr)
        return REFUSED
    print(json.dumps(asdict(grant), default=lambda moment: moment.isoformat(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
