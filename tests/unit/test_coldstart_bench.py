"""The cold-start section measures the code as the package ships it (its bytecode), prints that as its
headline, the source tree's and the SnapStart-primed figures beside it, and says so when there is
nothing primed to measure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from bench import tables
from bench.coldstart import ColdStart, _packaged_copy
from infra import lambda_package


def _interpreter(imported: float, post: float, get: float) -> dict[str, object]:
    return {"import": imported, "first": {"post": post, "get": get, "post_wait": 0.01, "get_wait": 0.01},
            "second": {"post": 0.005, "get": 0.002, "post_wait": 0.01, "get_wait": 0.01}}


def _result(primed: list[dict[str, object]]) -> ColdStart:
    return ColdStart(floor=[0.2], app=[0.25], floor_with_models=[0.22], app_first_request=[0.5], floor_modules={"chalice"},
                     app_modules={"chalice", "app"}, compile_seconds=0.03, compile_files=34,
                     first_requests=[_interpreter(0.2, 0.2, 0.05), _interpreter(0.25, 0.3, 0.05)],
                     first_requests_source_tree=[_interpreter(0.3, 0.25, 0.06)], first_requests_primed=primed)


def test_given_packaged_and_source_tree_runs_when_reported_then_the_headline_is_the_packaged_best():
    text = "\n".join(tables.report_coldstart(_result([])))

    assert "450.00" in text and "2.25x" in text  # 0.2 + 0.2 + 0.05 over a 0.2 floor
    assert "from the source tree" in text and "610.00" in text
    assert "primed at init (SnapStart): skipped" in text


def test_given_primed_runs_when_reported_then_their_first_requests_own_time_is_a_row():
    text = "\n".join(tables.report_coldstart(_result([_interpreter(0.4, 0.02, 0.01)])))

    assert "primed at init (SnapStart): first POST + first GET own time after prime()" in text
    assert "30.00" in text and "0.15x" in text
    assert "skipped" not in text


@pytest.mark.skipif(not lambda_package.can_compile(), reason="bytecode is written only by Python 3.12")
def test_given_the_bench_when_it_lays_out_the_package_then_every_module_it_imports_has_its_bytecode(tmp_path: Path):
    copy = _packaged_copy(tmp_path)

    sources = [copy / "app.py", *(copy / "chalicelib").rglob("*.py")]
    assert len(sources) > 50
    assert [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).is_file()] == []
    assert sys.implementation.cache_tag in importlib.util.cache_from_source(str(copy / "app.py"))
