"""A section that broke part way, with the figures it had measured by then (printed by the runner)."""

from __future__ import annotations


class SectionFailed(Exception):
    def __init__(self, partial: list[str]) -> None:
        super().__init__("section failed; see its cause")
        self.partial = partial
