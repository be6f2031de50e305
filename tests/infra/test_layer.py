"""Given the dependency layer built as for Lambda, every function imports from it and our code alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from layers import build

ROOT = Path(__file__).resolve().parents[2]


def test_given_pyproject_when_the_layer_requirements_are_read_then_all_but_chalice_go_in_with_their_ranges(tmp_path):
    requirements = build.requirements()
    assert not any(r.lower().startswith("chalice") for r in requirements)
    assert "pygeohash>=3.1,<4" in requirements and "boto3>=1.34,<2" in requirements
    assert "aws-lambda-powertools[tracer]>=3.0,<4" in requirements  # the tracer needs the X-Ray SDK
    command = build.command(tmp_path / "python")
    assert command[command.index("--platform") + 1] == "manylinux2014_x86_64"
    assert command[command.index("--python-version") + 1] == "3.11"


@pytest.fixture(scope="module")
def layer(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("layer") / "python"
    subprocess.run(build.command(target), check=True, capture_output=True)
    return target


# What Lambda's runtime has: the function's code (chalicelib/, functions/) and /opt/python.
PROBE = """
import sys
sys.path[:0] = [{layer!r}, {root!r}]
import functions.deliverer.handler, functions.rescue.handler, functions.rescue_sweeper.handler, functions.calendar_check.handler
import functions.mediation_sweeper.handler
from chalicelib.domain import geo
from chalicelib.documents import render
from chalicelib.contracts.rescue import StepInput
assert geo.encode(geo.Point(33.38, 120.15), 6) == "wtvmyh"  # the same as with the development install
StepInput.model_validate({{"orderId": "RS1", "caseId": "YC1"}})
for name in ("pydantic_core", "PIL", "cryptography", "pygeohash", "boto3"):
    module = sys.modules.get(name) or __import__(name)
    assert module.__file__.startswith({layer!r}), (name, module.__file__)
print("ok")
"""


def test_given_the_built_layer_when_each_function_is_imported_without_the_venv_then_everything_comes_from_it(layer):
    # -S -I: no site-packages (so nothing from this virtualenv), no user site, no PYTHON* variables
    probe = PROBE.format(layer=str(layer), root=str(ROOT))
    result = subprocess.run([sys.executable, "-S", "-I", "-c", probe], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
