"""Party access: the token and the link an SMS carries, derived from the stored party, and who
may act for a party of a case."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Forbidden
from chalicelib.integrations.secrets import lookup_hash_key, token_secret
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.store.cases import CaseRecord


def party_token(case_id: str, party_id: str, token_id: str, issued_at: datetime) -> str:
    principal = Principal(subject=party_id, role=Role.PARTY, case_id=case_id, token_id=token_id)
    lifetime = timedelta(days=get_settings().party_token_days)
    return tokens.issue(principal, token_secret(), issued_at, lifetime)


def party_link(case_id: str, token: str) -> str:
    return f"{get_settings().public_base_url}/h5/cases/{quote(case_id)}?token={quote(token)}"


def lookup_hash(value: str) -> str:
    """Keyed hash that lets a person's cases be found without putting the ID number in a key."""
    return hmac.new(lookup_hash_key().encode(), value.encode(), hashlib.sha256).hexdigest()


def acts_for(principal: Principal, record: CaseRecord, party_id: str | None) -> bool:
    """Whether the caller may act for this party of the case: police (and a workflow step) for
    any, a party only for itself, a WeChat user only for the party it joined as."""
    if principal.is_police or principal.role is Role.SYSTEM:
        return True
    party = record.party(party_id) if party_id else None
    if party is None:
        return False
    if principal.role is Role.PARTY:
        return principal.case_id == record.case.case_id and principal.subject == party.party_id
    if principal.role is Role.WECHAT_USER:
        return party.openid is not None and party.openid == principal.subject
    return False


def ensure_acts_for(principal: Principal, record: CaseRecord, party_id: str | None, field: str) -> None:
    if not acts_for(principal, record, party_id):
        raise Forbidden("a party acts only for itself; police act for any party", field=field)
