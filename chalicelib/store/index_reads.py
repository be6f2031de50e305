"""Whole items through an index that projects only a few attributes (ADR 0040).

The indexes carry what their small readers use (`store/table.py`); a reader that needs the whole
item queries the index for the keys, then reads those items from the table in one BatchGet, in the
index's order. An entry the index has not caught up with (the item has since left that key: a
message delivered, an order moved on) is dropped, as a stale entry would have been shown before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.models import Model

M = TypeVar("M", bound=Model)


@dataclass
class WholePage(Generic[M]):
    """A page of whole items, with the index's `last_evaluated_key` to follow (as a query's iterator has)."""

    items: list[M]
    last_evaluated_key: dict[str, Any] | None

    def __iter__(self) -> Iterator[M]:
        return iter(self.items)


def whole(model: type[M], index: Any, hash_key: str, *args: Any, **kwargs: Any) -> WholePage[M]:
    """`index.query(hash_key, ...)` (a page when `limit` is given, else every page), read whole."""
    results = index.query(hash_key, *args, **kwargs)
    keys = [(entry.pk, entry.sk) for entry in results]
    return WholePage(_by_keys(model, keys, index._hash_key_attribute().attr_name, hash_key), results.last_evaluated_key)


def _by_keys(model: type[M], keys: list[tuple[str, str]], key_attribute: str, hash_key: str) -> list[M]:
    found: dict[tuple[str, str], M] = {}
    for item in _batch_get(model, keys):
        if getattr(item, key_attribute) == hash_key:
            found[(item.pk, item.sk)] = item  # type: ignore[attr-defined]
    return [found[key] for key in keys if key in found]


def _batch_get(model: type[M], keys: Iterable[tuple[str, str]]) -> Iterator[M]:
    wanted = list(dict.fromkeys(keys))
    return iter(model.batch_get(wanted)) if wanted else iter(())
