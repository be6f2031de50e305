"""The hash chain of a case's audit log: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
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


def _number(value: int | float | Decimal) -> str:
    """A number as DynamoDB keeps it: no trailing zeros, no exponent, so 33.0 and 33 are one text."""
    number = Decimal(repr(value) if isinstance(value, float) else value).normalize()
    return "0" if number == 0 else format(number, "f")


def _canonical(value: Any) -> str:
    """Compact JSON with sorted keys, numbers in DynamoDB's canonical text: the same bytes for a
    detail as written and as any table hands it back."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        members = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_canonical(k)}:{_canonical(v)}" for k, v in members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return _canonical(str(value))


def _body(entry: Entry, detail: Any) -> dict[str, Any]:
    return {"caseId": entry.case_id, "seq": entry.seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
            "detail": detail, "prevHash": entry.prev_hash}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(entry: Entry) -> str:
    return _sha256(_canonical(_body(entry, entry.detail)))


# Entries written before the canonical form were hashed over json.dumps of the detail as written,
# where 33.0 and 33 differ. Read back, an integral number may have either type (moto keeps 33.0,
# DynamoDB answers 33), so such an entry verifies if one typing of its integral numbers gives the
# stored hash. Both forms hash the same values, so accepting them hides no change of a value.
_LEGACY_RETYPED_AT_MOST = 10


def _integral_numbers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, Mapping):
        for key, member in value.items():
            yield from _integral_numbers(member, (*path, key))
    elif isinstance(value, list | tuple):
        for index, member in enumerate(value):
            yield from _integral_numbers(member, (*path, index))
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value) and value == int(value):
        yield path


def _retyped(value: Any, integral: dict[tuple[Any, ...], bool], path: tuple[Any, ...] = ()) -> Any:
    """The detail with each integral number at a chosen path made a float (True) or an int (False)."""
    if isinstance(value, Mapping):
        return {key: _retyped(member, integral, (*path, key)) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [_retyped(member, integral, (*path, index)) for index, member in enumerate(value)]
    if path in integral:
        return float(value) if integral[path] else int(value)
    return value


def _legacy_matches(entry: Entry) -> bool:
    paths = list(_integral_numbers(entry.detail))[:_LEGACY_RETYPED_AT_MOST]
    for as_float in itertools.product((False, True), repeat=len(paths)):
        detail = _retyped(entry.detail, dict(zip(paths, as_float, strict=True)))
        legacy = json.dumps(_body(entry, detail), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        if _sha256(legacy) == entry.hash:
            return True
    return False


def matches(entry: Entry) -> bool:
    """The entry's content gives its stored hash, in the canonical form or (entries written before
    it) the legacy one."""
    return entry_hash(entry) == entry.hash or _legacy_matches(entry)


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
    """Detects an edited, removed or reordered entry, and a truncated tail when the head is known.

    Entries linked after the expected head are writes made since the case was read (its log is read
    after it), not a fault: the head must be in the chain, not at its end."""
    previous = GENESIS
    count = 0
    head = expected_head or GENESIS
    reached_head = expected_head is None or previous == head
    for count, entry in enumerate(sorted(entries, key=lambda e: e.seq), start=1):
        if entry.seq != count:
            return Verification(False, count, count, "sequence gap: an entry is missing")
        if entry.prev_hash != previous:
            return Verification(False, count, entry.seq, "previous-hash link does not match")
        if not matches(entry):
            return Verification(False, count, entry.seq, "content does not match its hash")
        previous = entry.hash
        reached_head = reached_head or previous == head
    if not reached_head:
        return Verification(False, count, count + 1, "the log ends before the case's recorded head")
    return Verification(True, count)
