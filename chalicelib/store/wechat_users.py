"""WeChat users joined to cases: a party item carries the openid of the user who joined as it,
and a sparse index (gsi2 `OPENID#<openid>`, `CASE#<caseId>`) lists that user's cases."""

from __future__ import annotations

from pynamodb.expressions.condition import Condition

from chalicelib.store.models import PartyItem


def bind(party: PartyItem, openid: str, case_id: str) -> tuple[PartyItem, Condition]:
    """The party changed to belong to this WeChat user, and the condition to save it on: nobody
    else joined as it meanwhile."""
    party.openid = openid
    party.gsi2pk = f"OPENID#{openid}"
    party.gsi2sk = f"CASE#{case_id}"
    return party, PartyItem.openid.does_not_exist() | (PartyItem.openid == openid)


def case_ids(openid: str, limit: int) -> list[str]:
    """The cases this WeChat user joined, newest case number first (one Query)."""
    return [party.case_id for party in PartyItem.gsi2.query(f"OPENID#{openid}", scan_index_forward=False, limit=limit)]
