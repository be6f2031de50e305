"""A fresh clone is enough: no test reads, and no README or doc points at, a file outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\.\./shared|PROJECT_ROOT\.parent|parents\[3\]")


def _offenders(paths: list[Path]) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}" for path in paths for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if OUTSIDE.search(line)]


def test_given_the_tests_then_none_reads_outside_the_repository():
    this = Path(__file__).resolve()
    assert _offenders([p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != this]) == []


def test_given_readme_and_docs_then_they_link_only_inside_the_repository():
    assert _offenders([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]) == []
    for note in ("design.md", "domain.md"):
        assert (ROOT / "docs" / note).exists()


def test_given_the_published_vectors_then_a_copy_is_in_the_repository():
    assert {p.name for p in (ROOT / "tests" / "vectors").glob("*.json")} == {"wechat_official_vector.json", "standard_webhooks_vector.json"}
