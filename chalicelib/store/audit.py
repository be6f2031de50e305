"""The case's audit log: entries on their own partition, so reading the case never reads its history.

The chain's head and length stay on the versioned case item (ADR 0005): a new entry is written in
the same transaction as the change it records, and the log is read only where it is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.domain import audit_chain
from chalicelib.store import paging
from chalicelib.store.case_items import case_key
from chalicelib.store.models import AuditItem, CaseItem

# Entries the case item keeps for its view's timeline, newest last (the full log is paginated).
RECENT = 30
# Each kept as one string `<at> <action> <actor role>`, what the timeline shows: a map of three named
# attributes took twice the bytes, and the case item is rewritten with every change (ADR 0040).
_SEPARATOR = " "


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
    """The next entry of the case's chain; moves the head and the recent timeline on the case item."""
    entry = audit_chain.chain(case.case_id, int(case.audit_seq) + 1, case.audit_head, at, actor, action, detail)
    case.audit_seq = entry.seq
    case.audit_head = entry.hash
    recent = [_compact(r) for r in (case.recent or [])]
    recent.append(_SEPARATOR.join((at, action, role_of(actor))))
    case.recent = recent[-RECENT:]
    return item(entry)


def role_of(actor: str) -> str:
    """`officer:O0001` → `officer`: what a timeline shows of who acted."""
    return actor.split(":", 1)[0]


def _compact(kept: Any) -> str:
    """A kept entry as a string (cases written before kept maps with the whole actor)."""
    if isinstance(kept, str):
        return kept
    plain = dict(kept)
    return _SEPARATOR.join((str(plain["at"]), str(plain["action"]), role_of(str(plain["actor"]))))


def recent(case: CaseItem) -> list[tuple[str, str, str]] | None:
    """The entries kept on the case item, oldest first: (at, action, actor role); None when it kept none."""
    if case.recent is None:
        return None
    return [_split(_compact(kept)) for kept in case.recent]


def _split(kept: str) -> tuple[str, str, str]:
    at, action, role = kept.split(_SEPARATOR, 2)
    return at, action, role


def _entry(raw: AuditItem) -> audit_chain.Entry:
    return audit_chain.Entry(raw.case_id, int(raw.seq), raw.at, raw.actor, raw.action, raw.detail.as_dict(), raw.prev_hash, raw.hash)


def _items(case_id: str) -> Iterator[AuditItem]:
    found = False
    for raw in AuditItem.query(log_key(case_id), consistent_read=True):
        found = True
        yield raw
    if not found:  # a case written before the log had its own partition (local state of older versions)
        yield from AuditItem.query(case_key(case_id), AuditItem.sk.startswith("AUDIT#"), consistent_read=True)


def entries(case_id: str) -> list[audit_chain.Entry]:
    """The whole chain, oldest first: only for showing or verifying the log."""
    return sorted((_entry(raw) for raw in _items(case_id)), key=lambda e: e.seq)


def page(case_id: str, limit: int, next_token: str | None) -> tuple[list[audit_chain.Entry], str | None]:
    """Entries oldest first, `limit` at a time."""
    results = AuditItem.query(log_key(case_id), consistent_read=True, limit=limit, last_evaluated_key=paging.decode(next_token))
    found = [_entry(raw) for raw in results]
    return found, paging.encode(results.last_evaluated_key)
