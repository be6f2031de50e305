"""The API's deployment package as `chalice package` zips it: the project's sources copied clean,
with their bytecode. Lambda's package is read-only, so a module without a `.pyc` beside it is
compiled again on every cold start (ADR 0039).

The files are `unchecked-hash` (PEP 552): the interpreter loads them without looking at the source's
mtime (a zip does not keep it exactly) or hashing the source, and they are the same bytes for the same
source, so the package stays reproducible. Only the runtime's interpreter (cpython-312) writes them:
another one's bytecode would be ignored there. (The import system points each code object at the file
it was loaded from, so tracebacks still show the source lines.)
"""

from __future__ import annotations

import compileall
import importlib.util
import py_compile
import shutil
import sys
from pathlib import Path

RUNTIME_VERSION = (3, 12)  # infra/cdk/compute.py's LAMBDA_RUNTIME
_MODE = py_compile.PycInvalidationMode.UNCHECKED_HASH
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments")


def copy_sources(project: Path, target: Path) -> None:
    """What chalice packages: app.py, requirements.txt, chalicelib/, vendor/, .chalice/ config."""
    target.mkdir()
    for name in ("app.py", "requirements.txt"):
        if (project / name).is_file():
            shutil.copy2(project / name, target / name)
    for name in ("chalicelib", "vendor", ".chalice"):
        if (project / name).is_dir():
            shutil.copytree(project / name, target / name, ignore=_IGNORE)


def can_compile() -> bool:
    return sys.version_info[:2] == RUNTIME_VERSION


def compile_tree(folder: Path) -> bool:
    """Write `__pycache__/*.cpython-312.pyc` for every module under `folder`; False when this
    interpreter is not the runtime's (nothing written)."""
    if not can_compile():
        return False
    return bool(compileall.compile_dir(folder, quiet=1, invalidation_mode=_MODE, workers=1))


def compile_module(source: Path, bytecode_dir: Path) -> bool:
    """One module's bytecode into `bytecode_dir`, where the runtime will find it as `__pycache__`."""
    if not can_compile():
        return False
    target = bytecode_dir / Path(importlib.util.cache_from_source(source.name)).name
    target.parent.mkdir(parents=True, exist_ok=True)
    py_compile.compile(str(source), cfile=str(target), doraise=True, invalidation_mode=_MODE)
    return True


def compile_package(project_copy: Path, app_bytecode: Path) -> None:
    """Compile what `chalice package` zips from a project copy: `chalicelib/` in place, and `app.py`
    into `app_bytecode` (chalice zips `app.py` alone to the package root, and the files of `vendor/`
    to that root too: for the package, `vendor/__pycache__` lands beside `app.py`)."""
    compile_tree(project_copy / "chalicelib")
    compile_module(project_copy / "app.py", app_bytecode)
