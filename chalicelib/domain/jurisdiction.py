"""Which police unit handles an accident at a location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


def resolve_unit(lat: float, lng: float, units: list[dict[str, Any]]) -> Unit | None:
    for unit in units:
        box = unit["bbox"]
        if box["south"] <= lat <= box["north"] and box["west"] <= lng <= box["east"]:
            return Unit(code=unit["code"], name=unit["name"])
    return None


def covers(staff_jurisdiction: str | None, case_jurisdiction: str) -> bool:
    """A unit covers its own cases; a city-level code (ending 00) covers its districts too."""
    if not staff_jurisdiction:
        return False
    if staff_jurisdiction == case_jurisdiction:
        return True
    return staff_jurisdiction.endswith("00") and case_jurisdiction.startswith(staff_jurisdiction[:4])
