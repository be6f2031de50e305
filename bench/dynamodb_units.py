"""DynamoDB's capacity arithmetic, from the items themselves (the cost bench's units).

Sizes follow "DynamoDB item sizes and formats" (developer guide, CapacityUnitCalculations): an
attribute is its name's UTF-8 bytes plus its value; a string its UTF-8 bytes; a number 1 byte per
two significant digits plus 1; binary its raw bytes; a boolean or null 1 byte; a list or a map 3
bytes plus its elements, each element 1 byte more. Units follow the read/write request unit rules:
a write is 1 unit per KB (rounded up) of the larger of the old and the new item, double inside a
transaction; a read is 1 unit per 4 KB, half when eventually consistent, double inside a
transaction; a Query page sums its items' sizes and rounds once. A global secondary index is written
when the item enters it, leaves it (delete), moves in it (delete + put) or changes what it projects;
its entry is the projected attributes.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from typing import Any

KB = 1024
READ_UNIT_BYTES = 4 * KB

Item = Mapping[str, Mapping[str, Any]]  # DynamoDB's JSON: {"name": {"S": "value"}}


def _number_size(text: str) -> int:
    digits = text.lstrip("+-").lower().split("e")[0].replace(".", "").lstrip("0").rstrip("0")
    return math.ceil(len(digits) / 2) + 1


def _binary_size(value: bytes | str) -> int:
    return len(value) if isinstance(value, bytes | bytearray) else len(base64.b64decode(value))


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return _binary_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in content)
    if kind == "NS":
        return sum(_number_size(n) for n in content)
    if kind == "BS":
        return sum(_binary_size(b) for b in content)
    if kind == "L":
        return 3 + sum(value_size(element) + 1 for element in content)
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(element) + 1 for name, element in content.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: Item) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _kilobytes(size: int) -> int:
    return max(1, math.ceil(size / KB))


def write_units(old: int | None, new: int | None, *, transactional: bool) -> float:
    """A write of an item of `old` bytes (None: absent) leaving `new` bytes (None: deleted)."""
    units = _kilobytes(max(old or 0, new or 0))
    return units * (2 if transactional else 1)


def index_write_units(old: Item | None, new: Item | None, *, key_names: Iterable[str]) -> float:
    """The index writes of one table write: `old`/`new` are the item's projected entries in the index
    (None when the item is, or was, not in it: one of its key attributes missing)."""
    names = tuple(key_names)
    if old is None and new is None:
        return 0
    if old is None or new is None:
        entered_or_left = new if old is None else old
        assert entered_or_left is not None
        return _kilobytes(item_size(entered_or_left))
    if any(old.get(name) != new.get(name) for name in names):
        return _kilobytes(item_size(old)) + _kilobytes(item_size(new))
    if old == new:
        return 0
    return _kilobytes(max(item_size(old), item_size(new)))


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    if transactional:
        return units * 2
    return units if consistent else units / 2


def query_read_units(sizes: Iterable[int], *, consistent: bool) -> float:
    """One Query (or Scan) page: its items' sizes summed, then rounded up to 4 KB once."""
    return read_units(sum(sizes), consistent=consistent)
