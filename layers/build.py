"""`make layer`: the third-party dependencies into `layers/python/`, as the Lambda runtime needs them.

The runtime dependencies of `pyproject.toml` (one list for the local stack, the tests and AWS),
as manylinux x86_64 wheels for CPython 3.11 — whatever this machine is — so the layer imports on
Lambda's Python 3.11 x86_64 runtime. Chalice is left out: `chalice package` ships its own runtime
module with the API, and no standalone function imports it. boto3 is kept in: the runtime's
own copy may be older than the botocore the other dependencies pull in.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "layers" / "python"
# Bundled by the deployment itself, not by the layer (package names as in pyproject.toml).
NOT_IN_LAYER = frozenset({"chalice"})
PLATFORM = ("--platform", "manylinux2014_x86_64", "--implementation", "cp", "--python-version", "3.11", "--only-binary=:all:")


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The runtime requirements (with their version ranges) that go into the layer."""
    import re

    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return [r for r in declared if re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() not in NOT_IN_LAYER]


def command(target: Path = TARGET) -> list[str]:
    return [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--upgrade", "--target", str(target),
            *PLATFORM, *requirements()]


def main() -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)  # a clean build: nothing left over from an older dependency set
    subprocess.run(command(), check=True)  # noqa: S603 (our own pip, arguments from pyproject.toml)
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"layers/python: {len(requirements())} requirements, {size / 2**20:.0f} MiB unzipped (Lambda allows 250)")


if __name__ == "__main__":
    main()
