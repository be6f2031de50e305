"""Seeded reference data: insurers, hospitals, service points (pk `REF#<kind>`)."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.store.cases import plain
from chalicelib.store.models import ReferenceItem
from chalicelib.store.ttl_cache import TtlCache

# Names of partners (insurers, hospitals, shops): renamed seldom, read by many requests.
NAME_SECONDS = 300.0
_names: TtlCache[tuple[str, str], str] = TtlCache(NAME_SECONDS)


def ref_key(kind: str) -> str:
    return f"REF#{kind}"


def existing_codes(kind: str, codes: Iterable[str]) -> set[str]:
    return set(names(kind, codes))


def direct_pay(item: ReferenceItem) -> bool:
    """Whether a hospital is designated for injury direct pay (the seed's `directPay`)."""
    return bool(plain(item.attributes).get("directPay"))


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
    """Each seeded code's name (kept per container for `NAME_SECONDS`); unknown codes are left out."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    found = _names.get_many([(kind, code) for code in wanted], _read_names)
    return {code: name for (_, code), name in found.items()}


def _read_names(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    items = ReferenceItem.batch_get([(ref_key(kind), code) for kind, code in keys])
    return {(item.pk.removeprefix(ref_key("")), item.code): item.name for item in items}
