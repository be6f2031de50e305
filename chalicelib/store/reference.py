"""Seeded reference data: insurers, hospitals, service points (pk `REF#<kind>`)."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.store.models import ReferenceItem


def ref_key(kind: str) -> str:
    return f"REF#{kind}"


def existing_codes(kind: str, codes: Iterable[str]) -> set[str]:
    return set(names(kind, codes))


def get(kind: str, code: str) -> ReferenceItem:
    """One partner; raises `ReferenceItem.DoesNotExist` for a code that was never seeded."""
    return ReferenceItem.get(ref_key(kind), code)


def listing(kind: str) -> list[ReferenceItem]:
    return list(ReferenceItem.query(ref_key(kind)))


SEED_MARKER = ("META#SEED", "#SEED")


def seeded() -> bool:
    """One GetItem: the seed writes this marker last, after every reference item."""
    try:
        ReferenceItem.get(*SEED_MARKER)
    except ReferenceItem.DoesNotExist:
        return False
    return True


def names(kind: str, codes: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    return {item.code: item.name for item in ReferenceItem.batch_get([(ref_key(kind), code) for code in wanted])}
