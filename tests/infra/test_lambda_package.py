"""The API's package and the dependency layer carry their bytecode (ADR 0039): Lambda's code is
read-only, so a module without it is compiled on every cold start."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import lambda_package
from tests.infra.cdk_template import Synth

needs_runtime_python = pytest.mark.skipif(not lambda_package.can_compile(), reason="bytecode is written only by Python 3.12")
TAG = sys.implementation.cache_tag


@needs_runtime_python
def test_given_the_synthesised_api_when_its_package_is_opened_then_every_module_has_unchecked_bytecode(synth: Synth) -> None:
    package = Path(synth.stack.api.app._sam_package_dir) / "deployment.zip"
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py") and (n == "app.py" or n.startswith("chalicelib/"))]
        missing = [s for s in sources if importlib.util.cache_from_source(s) not in names]
        flags = int.from_bytes(archive.read(f"chalicelib/api/__pycache__/routing.{TAG}.pyc")[4:8], "little")
    assert len(sources) > 50
    assert missing == []
    assert flags == 0b01  # hash-based, not checked against the source (PEP 552)


@needs_runtime_python
def test_given_a_compiled_tree_when_imported_then_the_bytecode_is_used_without_reading_the_source(tmp_path: Path) -> None:
    (tmp_path / "chalicelib").mkdir()
    (tmp_path / "chalicelib" / "__init__.py").write_text("")
    (tmp_path / "chalicelib" / "mod.py").write_text("def where():\n    return where.__code__.co_filename\n")
    (tmp_path / "app.py").write_text("import chalicelib.mod\n")
    lambda_package.compile_package(tmp_path, tmp_path / "__pycache__")  # as in the bench's copy: app's bytecode beside it
    before = sorted(p.name for p in tmp_path.rglob("*.pyc"))

    probe = ("import sys, app, chalicelib.mod; print(chalicelib.mod.where()); "
             "print(all(m.__spec__.cached and m.__spec__.has_location for m in (app, chalicelib.mod)))")
    done = subprocess.run([sys.executable, "-B", "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)

    assert before == sorted(["__init__." + TAG + ".pyc", "mod." + TAG + ".pyc", "app." + TAG + ".pyc"])
    assert done.stdout.split() == [str(tmp_path / "chalicelib" / "mod.py"), "True"]  # tracebacks find the source
    (tmp_path / "chalicelib" / "mod.py").write_text("raise SystemExit('the source was compiled')\n")  # unchecked: never read
    subprocess.run([sys.executable, "-B", "-c", "import chalicelib.mod"], cwd=tmp_path, check=True)


def test_given_another_interpreter_when_compiling_then_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lambda_package, "RUNTIME_VERSION", (3, 99))
    (tmp_path / "mod.py").write_text("x = 1\n")

    assert lambda_package.compile_tree(tmp_path) is False
    assert list(tmp_path.rglob("*.pyc")) == []


@needs_runtime_python
def test_given_a_layer_build_when_it_completes_then_its_modules_carry_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layers import build

    def installing(cmd: list[str], check: bool) -> None:
        package = Path(cmd[cmd.index("--target") + 1]) / "somelib"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("VALUE = 1\n")

    monkeypatch.setattr(build.subprocess, "run", installing)
    build.build(tmp_path / "python")

    compiled = tmp_path / "python" / "somelib" / "__pycache__" / f"__init__.{TAG}.pyc"
    assert int.from_bytes(compiled.read_bytes()[4:8], "little") == 0b01
