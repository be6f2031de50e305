"""Party access: the token and the link an SMS carries, derived from the stored party."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import quote

from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal, Role
from chalicelib.integrations.secrets import lookup_hash_key, token_secret
from chalicelib.settings import get_settings


def party_token(case_id: str, party_id: str, token_id: str, issued_at: datetime) -> str:
    principal = Principal(subject=party_id, role=Role.PARTY, case_id=case_id, token_id=token_id)
    lifetime = timedelta(days=get_settings().party_token_days)
    return tokens.issue(principal, token_secret(), issued_at, lifetime)


def party_link(case_id: str, token: str) -> str:
    return f"{get_settings().public_base_url}/h5/cases/{quote(case_id)}?token={quote(token)}"


def lookup_hash(value: str) -> str:
    """Keyed hash that lets a person's cases be found without putting the ID number in a key."""
    return hmac.new(lookup_hash_key().encode(), value.encode(), hashlib.sha256).hexdigest()
