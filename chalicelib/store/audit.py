"""The case's audit log: entries on their own partition, so reading the case never reads its history.

The chain's head and length stay on the versioned case item (ADR 0005): a new entry is written in
the same transaction as the change it records, and the log is read only where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain import audit_chain
from chalicelib.store import paging
from chalicelib.store.case_items import case_key
from chalicelib.store.models import AuditItem, CaseItem

# Entries the case view's timeline shows, the latest (the full log is paginated). They are read from
# the log, not kept on the case item, which is rewritten with every change (ADR 0040, "The case item").
RECENT = 30
# What the timeline shows of an entry: the rest (hashes, chain links) stays unread. The detail names
# the insurer or the awaited step some entries are worded with (a few dozen bytes).
_SHOWN = ["seq", "at", "action", "actor", "detail"]


def log_key(case_id: str) -> str:
    return f"AUDIT#{case_id}"


# The audit logs' partitions, as an IAM `dynamodb:LeadingKeys` pattern (infra/cdk/report_rebuild.py).
LEADING_KEYS = log_key("*")


def entry_key(case_id: str, seq: int) -> tuple[str, str]:
    return log_key(case_id), f"{seq:08d}"


def item(entry: audit_chain.Entry) -> AuditItem:
    pk, sk = entry_key(entry.case_id, entry.seq)
    return AuditItem(
        pk=pk,
        sk=sk,
        case_id=entry.case_id,
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def append(case: CaseItem, actor: str, action: str, detail: dict[str, Any], at: str) -> AuditItem:
    """The next entry of the case's chain; moves the head on the case item."""
    entry = audit_chain.chain(case.case_id, int(case.audit_seq) + 1, case.audit_head, at, actor, action, detail)
    case.audit_seq = entry.seq
    case.audit_head = entry.hash
    return item(entry)


def role_of(actor: str) -> str:
    """`officer:O0001` → `officer`: what a timeline shows of who acted."""
    return actor.split(":", 1)[0]


@dataclass(frozen=True)
class Shown:
    """What a timeline shows of an entry."""

    seq: int
    at: str
    action: str
    actor: str
    detail: dict[str, Any]


def latest(case_id: str, count: int) -> list[Shown]:
    """The case's last `count` entries, oldest first: one Query, newest first and limited, so reading
    them costs the same whatever the case's history."""
    found = _query(case_id, scan_index_forward=False, limit=count, attributes_to_get=_SHOWN)
    return [Shown(int(raw.seq), raw.at, raw.action, raw.actor, raw.detail.as_dict() if raw.detail else {}) for raw in reversed(found)]


def _entry(raw: AuditItem) -> audit_chain.Entry:
    return audit_chain.Entry(raw.case_id, int(raw.seq), raw.at, raw.actor, raw.action, raw.detail.as_dict(), raw.prev_hash, raw.hash)


def _query(case_id: str, **options: Any) -> list[AuditItem]:
    found = list(AuditItem.query(log_key(case_id), consistent_read=True, **options))
    if not found:  # a case written before the log had its own partition (local state of older versions)
        found = list(AuditItem.query(case_key(case_id), AuditItem.sk.startswith("AUDIT#"), consistent_read=True, **options))
    return found


def entries(case_id: str) -> list[audit_chain.Entry]:
    """The whole chain, oldest first: only for showing or verifying the log."""
    return sorted((_entry(raw) for raw in _query(case_id)), key=lambda e: e.seq)


def page(case_id: str, limit: int, next_token: str | None) -> tuple[list[audit_chain.Entry], str | None]:
    """Entries oldest first, `limit` at a time."""
    results = AuditItem.query(log_key(case_id), consistent_read=True, limit=limit, last_evaluated_key=paging.decode(next_token))
    found = [_entry(raw) for raw in results]
    return found, paging.encode(results.last_evaluated_key)
