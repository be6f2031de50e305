"""WeChat users joined to cases: a party item carries the openid of the user who joined as it,
and a sparse index (gsi2 `OPENID#<openid>`, `CASE#<caseId>`) lists that user's cases."""

from __future__ import annotations

from datetime import datetime

from pynamodb.expressions.condition import Condition

from chalicelib.domain.wechat_dialogue import CaseStatusLine
from chalicelib.store.case_items import CASE_SORT_KEY, case_key
from chalicelib.store.models import CaseItem, PartyItem


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


def case_lines(openid: str, limit: int) -> list[CaseStatusLine]:
    """The status line of each of this user's `limit` newest cases: the ids from the index (one
    Query), then only the case items' status and time in one BatchGet, whatever the cases hold."""
    newest = case_ids(openid, limit)
    found = {case.case_id: case for case in CaseItem.batch_get(
        [(case_key(case_id), CASE_SORT_KEY) for case_id in newest],
        attributes_to_get=["case_id", "status", "occurred_at"],
    )}
    return [CaseStatusLine(case_id, found[case_id].status, datetime.fromisoformat(found[case_id].occurred_at))
            for case_id in newest if case_id in found]
