"""Versioned configuration shipped with the code (rules that are local practice, not law)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Parsed `chalicelib/config/<name>.json`; cached, so treat the result as read-only."""
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
