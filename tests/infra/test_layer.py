"""Given the dependency layer built as for Lambda, every function imports from it and our code alone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from layers import build

ROOT = Path(__file__).resolve().parents[2]


def test_given_the_lock_when_the_layer_requirements_are_read_then_all_but_chalice_and_its_own_needs_go_in_pinned(tmp_path):
    text = build.requirements()
    pinned = {line.split("==")[0] for line in text.splitlines() if "==" in line and not line[0].isspace()}
    assert "chalice" not in pinned and "inquirer" not in pinned  # inquirer: only chalice's CLI needs it
    assert {"pygeohash", "boto3", "botocore", "aws-lambda-powertools", "pydantic-core"} <= pinned
    assert text.count("--hash=sha256:") >= len(pinned)  # every pin keeps its hashes
    command = build.command(tmp_path / "python", tmp_path / "requirements.txt")
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert platforms == ["manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64"]  # Amazon Linux 2023
    assert command[command.index("--python-version") + 1] == "3.12"
    assert "--require-hashes" in command and "--no-deps" in command


def test_given_a_failing_build_when_the_layer_is_rebuilt_then_the_old_layer_is_kept(tmp_path, monkeypatch):
    target = tmp_path / "python"
    (target / "old").mkdir(parents=True)

    def failing(cmd, check):
        (Path(cmd[cmd.index("--target") + 1]) / "half").mkdir(parents=True)
        raise subprocess.CalledProcessError(1, cmd)

    monkeypatch.setattr(build.subprocess, "run", failing)
    with pytest.raises(subprocess.CalledProcessError):
        build.build(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["python"] and (target / "old").is_dir()


def test_given_a_good_build_when_the_layer_is_rebuilt_then_it_replaces_the_old_one_whole(tmp_path, monkeypatch):
    target = tmp_path / "python"
    (target / "old").mkdir(parents=True)

    def succeeding(cmd, check):
        assert (target / "old").is_dir()  # still there while the new one is built
        (Path(cmd[cmd.index("--target") + 1]) / "new").mkdir(parents=True)

    monkeypatch.setattr(build.subprocess, "run", succeeding)
    build.build(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["python"]
    assert [p.name for p in target.iterdir()] == ["new"]


def lambda_python() -> str | None:
    """A Python 3.12 like Lambda's (PATH, then pyenv's versions folder), as the Makefile finds it."""
    found = shutil.which("python3.12")
    candidates = [found] if found else []
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.12.*/bin/python3.12"))
    for candidate in candidates:
        if subprocess.run([candidate, "-c", "import sys"], capture_output=True).returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def layer(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("layer") / "python"
    build.build(target)
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
    python = lambda_python()
    if python is None:
        pytest.skip("no Python 3.12 on this machine to import the 3.12 layer with")
    result = subprocess.run([python, "-S", "-I", "-c", probe], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_given_no_built_layer_when_synthesised_for_a_deploy_then_it_stops_saying_how_to_build_it(tmp_path, monkeypatch):
    from infra.cdk import app as cdk_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path / "cdk.out"))
    monkeypatch.setattr(cdk_app, "PROJECT_ROOT", tmp_path)  # no layers/python there
    real_build_app = cdk_app.build_app
    monkeypatch.setattr(cdk_app, "build_app", lambda **kw: real_build_app(project_root=tmp_path, **kw))
    with pytest.raises(SystemExit, match=r"layers/python does not exist.*make layer"):
        cdk_app.main()
    assert not list((tmp_path / "cdk.out").glob("*.template.json"))
