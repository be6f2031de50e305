"""The hash chain of a case's audit log: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    case_id: str
    seq: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str = ""


def entry_hash(entry: Entry) -> str:
    body = {
        "caseId": entry.case_id,
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "detail": entry.detail,
        "prevHash": entry.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def chain(case_id: str, seq: int, head: str, at: str, actor: str, action: str, detail: dict[str, Any]) -> Entry:
    """The entry that follows `head` (the hash of entry `seq - 1`, or GENESIS for the first)."""
    entry = Entry(case_id, seq, at, actor, action, detail, head or GENESIS)
    return Entry(**{**entry.__dict__, "hash": entry_hash(entry)})


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    broken_at: int | None = None
    reason: str | None = None


def verify(entries: Iterable[Entry], expected_head: str | None = None) -> Verification:
    """Detects an edited, removed or reordered entry, and a truncated tail when the head is known."""
    previous = GENESIS
    count = 0
    for count, entry in enumerate(sorted(entries, key=lambda e: e.seq), start=1):
        if entry.seq != count:
            return Verification(False, count, count, "sequence gap: an entry is missing")
        if entry.prev_hash != previous:
            return Verification(False, count, entry.seq, "previous-hash link does not match")
        if entry_hash(entry) != entry.hash:
            return Verification(False, count, entry.seq, "content does not match its hash")
        previous = entry.hash
    if expected_head is not None and previous != (expected_head or GENESIS):
        return Verification(False, count, count + 1, "the log ends before the case's recorded head")
    return Verification(True, count)
