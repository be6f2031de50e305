"""PynamoDB attributes that hold typed objects (pydantic models or pydantic dataclasses) as DynamoDB maps.

The stored map is the object's JSON form under its aliases (camelCase here), so an item written
before its field was typed still loads, and services read attributes (`offer.truck_id`) instead of
string keys. Fields left at None are not written: an absent key loads as the field's default.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from pynamodb.attributes import Attribute, MapAttribute
from pynamodb.constants import LIST, MAP

T = TypeVar("T")


class _MapCodec(Generic[T]):
    """One typed object ⇄ the `M` value of DynamoDB's wire format."""

    def __init__(self, kind: type[T]) -> None:
        self.kind = kind
        self.raw_map = MapAttribute[str, Any]()

    @cached_property
    def adapter(self) -> TypeAdapter[T]:
        # Built on first use, not when the models are imported: every Lambda imports them.
        return TypeAdapter(self.kind)

    def to_map(self, value: T) -> dict[str, Any]:
        plain = self.adapter.dump_python(value, mode="json", by_alias=True, exclude_none=True)
        return self.raw_map.serialize(plain)  # type: ignore[no-any-return]

    def from_map(self, value: dict[str, Any]) -> T:
        return self.adapter.validate_python(self.raw_map.deserialize(value))


class TypedMapAttribute(Attribute[T]):
    """One typed object stored as a map."""

    attr_type = MAP

    def __init__(self, kind: type[T], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._codec = _MapCodec(kind)

    def serialize(self, value: T) -> dict[str, Any]:
        return self._codec.to_map(value)

    def deserialize(self, value: dict[str, Any]) -> T:
        return self._codec.from_map(value)


class TypedListAttribute(Attribute[list[T]]):
    """A list of typed objects stored as a list of maps (what a plain ListAttribute of dicts writes)."""

    attr_type = LIST

    def __init__(self, kind: type[T], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._codec = _MapCodec(kind)

    def serialize(self, values: list[T]) -> list[dict[str, Any]]:
        return [{MAP: self._codec.to_map(value)} for value in values]

    def deserialize(self, values: list[dict[str, Any]]) -> list[T]:
        return [self._codec.from_map(value[MAP]) for value in values]
