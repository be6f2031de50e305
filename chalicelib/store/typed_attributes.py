"""PynamoDB attributes that hold a domain record (a pydantic model) as a DynamoDB map.

The stored form is the record's camelCase dump, so items written before the attribute was typed
read back unchanged; numbers come back as DynamoDB returns them and pydantic coerces them.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pynamodb.attributes import Attribute, MapAttribute
from pynamodb.constants import MAP

M = TypeVar("M", bound=BaseModel)


class RecordAttribute(Attribute[M], Generic[M]):
    attr_type = MAP

    def __init__(self, model: type[M], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model

    def serialize(self, value: M | dict[str, Any]) -> Any:
        record = value if isinstance(value, BaseModel) else self.model.model_validate(value)
        return MapAttribute().serialize(record.model_dump(mode="json", by_alias=True))

    def deserialize(self, value: Any) -> M:
        return self.model.model_validate(MapAttribute().deserialize(value))
