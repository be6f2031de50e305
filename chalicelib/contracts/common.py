"""Base classes for every request and reply body: camelCase on the wire, unknown fields refused."""

from __future__ import annotations

import math
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError
from pydantic.alias_generators import to_camel

from chalicelib.domain.text import clean_text
from chalicelib.errors import ValidationFailed

__all__ = ["StrictBool"]  # every boolean in a request body: JSON true or false, never "yes" or 1


class Contract(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        str_strip_whitespace=True,
        frozen=True,
        defer_build=True,  # validators are built on first use, not at every cold start
    )

    def wire(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class Reply(Contract):
    """Replies may grow fields without breaking old clients, so they are not frozen to a shape."""

    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True, defer_build=True)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone offset, e.g. 2026-10-01T08:30:00+08:00")
    return value


def _iso_text(value: Any) -> Any:
    # pydantic would read a bare number as seconds since 1970: a time is written as ISO 8601 text.
    if not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date and time text, e.g. 2026-10-01T08:30:00+08:00")
    return value


AwareDatetime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_aware)]

COORDINATE_DECIMALS = 6  # about 0.1 m: finer than any phone's fix, and no number DynamoDB cannot store


def _coordinate(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return round(value, COORDINATE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


Latitude = Annotated[
    float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False, description="WGS-84 latitude"), AfterValidator(_coordinate)
]
Longitude = Annotated[
    float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False, description="WGS-84 longitude"), AfterValidator(_coordinate)
]


# Free text as it will be printed: NFC, stripped, no bidi or control characters, something visible.
# Every field also gets a maximum length that the letter and the agreement can lay out.
CleanText = AfterValidator(clean_text)
Text = Annotated[str, CleanText]
Lines = Annotated[str, AfterValidator(partial(clean_text, multiline=True))]  # several lines allowed


class GeoPoint(Contract):
    lat: Latitude
    lng: Longitude


class Location(GeoPoint):
    address: Text = Field(min_length=2, max_length=200)


def _field_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: Any) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def validation_failed(error: ValidationError, prefix: str = "", listed: int = 5) -> ValidationFailed:
    """The first problem as the error and the first `listed` problems with a count of the rest (a
    9 MB map once gave a 77 MB reply); input values are never echoed back."""
    problems = [
        {"field": _field_path(tuple(p for p in ((prefix,) if prefix else ()) + tuple(e["loc"]))) or prefix or "body",
         "message": _message(e)}
        for e in error.errors(include_input=False)[:listed]
    ]
    first = problems[0]
    more = {"moreProblems": error.error_count() - len(problems)} if error.error_count() > len(problems) else {}
    return ValidationFailed(first["message"], field=first["field"], problems=problems, **more)
