"""`make layer`: the third-party dependencies into `layers/python/`, as the Lambda runtime needs them.

Exactly the runtime lock (`requirements.lock`, hashes checked, no resolution of its own: ADR 0033),
so the deployed layer holds the versions the tests ran with, as manylinux x86_64 wheels for
CPython 3.12 — whatever this machine is — so the layer imports on Lambda's Python 3.12 x86_64
runtime. Chalice is left out, with what only it needs: `chalice package` ships its own runtime
module with the API, and no standalone function imports it. boto3 is kept in: the runtime's own
copy may be older than the botocore the other dependencies pull in.

The new layer is built next to the old one and swapped in only once complete: a failed build
(no network, a missing wheel) leaves the previous layer in place. pip writes no bytecode
(`--no-compile`: it would be checked against mtimes a zip does not keep); the build then writes
`unchecked-hash` bytecode when it runs on the runtime's Python, as `infra/lambda_package.py` does for the
API's package (ADR 0039; `make layer` runs this file as a script, so it cannot import `infra`).
"""

from __future__ import annotations

import compileall
import py_compile
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
TARGET = ROOT / "layers" / "python"
LAMBDA_PYTHON = "3.12"
# Bundled by the deployment itself, not by the layer (package names as in the lock).
NOT_IN_LAYER = frozenset({"chalice"})
PROJECT = "yunchetong (pyproject.toml)"
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34): wheels up to manylinux_2_34 import
# there (Pillow 12+ ships manylinux_2_28 wheels only).
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_34_x86_64")
PLATFORM = (*(arg for tag in PLATFORMS for arg in ("--platform", tag)), "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
            "--only-binary=:all:")


def _blocks(lock_text: str) -> dict[str, tuple[str, set[str]]]:
    """Each pinned package of a pip-compile lock: its text (pin and hashes) and what it is there for."""
    blocks: dict[str, tuple[str, set[str]]] = {}
    name = ""
    for line in lock_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name = re.split(r"[=\[ ]", line, maxsplit=1)[0].lower()
            blocks[name] = (line, set())
        elif name and line.strip().startswith("#"):
            text, needed_by = blocks[name]
            via = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if via:
                needed_by.add(via.lower())
        elif name:
            text, needed_by = blocks[name]
            blocks[name] = (f"{text}\n{line}", needed_by)
    return blocks


def requirements(lock: Path = LOCK) -> str:
    """The lock without what only the packages left out of the layer need (hashes kept)."""
    blocks = _blocks(lock.read_text(encoding="utf-8"))
    dropped = set(NOT_IN_LAYER)
    while True:
        orphans = {name for name, (_, needed_by) in blocks.items()
                   if name not in dropped and needed_by and needed_by <= dropped and PROJECT not in needed_by}
        if not orphans:
            break
        dropped |= orphans
    return "\n".join(text for name, (text, _) in blocks.items() if name not in dropped) + "\n"


def command(target: Path, requirements_file: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--no-deps", "--require-hashes",
            "--target", str(target), *PLATFORM, "--requirement", str(requirements_file)]


def compile_bytecode(folder: Path) -> None:
    """Lambda's /opt is read-only: without bytecode every cold start compiles what it imports."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == LAMBDA_PYTHON:
        compileall.compile_dir(folder, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def build(target: Path = TARGET, lock: Path = LOCK) -> None:
    """Build into a fresh folder beside `target`, then swap it in; `target` is untouched until then."""
    with tempfile.TemporaryDirectory(prefix=".layer-build-", dir=target.parent) as scratch:
        work = Path(scratch)
        (work / "requirements.txt").write_text(requirements(lock), encoding="utf-8")
        subprocess.run(command(work / "python", work / "requirements.txt"), check=True)  # noqa: S603 (our own pip, the lock)
        compile_bytecode(work / "python")
        if target.exists():
            target.rename(work / "previous")  # removed with the scratch folder
        (work / "python").rename(target)


def main() -> None:
    build()
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"layers/python: from {LOCK.name}, {size / 2**20:.0f} MiB unzipped (Lambda allows 250)")


if __name__ == "__main__":
    main()
