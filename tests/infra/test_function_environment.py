"""What every function's interpreter is told by its environment (`infra/function_environment.py`),
the same in AWS and in the local stack: pydantic skips its plugin scan (ADR 0039)."""

from __future__ import annotations

from pathlib import Path

from infra.local.stack import environment
from tests.infra.cdk_template import Synth, resources_of

FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


def _our_functions(synth: Synth) -> dict[str, dict[str, object]]:
    """Ours: the functions that read the table (CDK's own helpers, e.g. bucket deployment, do not)."""
    functions = {k: v for t in FUNCTION_TYPES for k, v in resources_of(synth, t).items()}
    return {k: v["Properties"].get("Environment", {}).get("Variables", {}) for k, v in functions.items()
            if "TABLE_NAME" in v["Properties"].get("Environment", {}).get("Variables", {})}


def test_every_function_of_ours_runs_with_pydantic_plugins_disabled(synth: Synth) -> None:
    functions = _our_functions(synth)
    assert "APIHandler" in functions and len(functions) > 10
    assert {k: env.get("PYDANTIC_DISABLE_PLUGINS") for k, env in functions.items()} == {k: "__all__" for k in functions}


def test_the_local_stack_runs_with_pydantic_plugins_disabled(tmp_path: Path) -> None:
    assert environment(tmp_path, 8000, 4566)["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
