"""`make vendor`: install the pages' npm libraries exactly as `web/package-lock.json` locks them
(`npm ci`, no install scripts) and copy the files `web/package.json` names under "vendor" into
`web/vendor/`, which is committed: serving the pages (`make run`, the S3 upload) needs no npm and
no network (ADR 0030). `--check` only compares the committed copies with the locked package."""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"
VENDOR = WEB / "vendor"


def vendored_files(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(file in node_modules, name in web/vendor) for every file the manifest vendors."""
    return [(f"node_modules/{package}/{source}", target)
            for package, files in manifest.get("vendor", {}).items() for source, target in files.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare web/vendor with the locked packages; change nothing")
    args = parser.parse_args(argv)
    npm = shutil.which("npm")
    if npm is None:
        print("npm is needed to vendor the pages' libraries (apt-get install npm)", file=sys.stderr)
        return 2
    # The lock decides every version; no package may run install scripts.
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=WEB, check=True)  # noqa: S603 (npm found on PATH, fixed arguments)
    manifest = json.loads((WEB / "package.json").read_text(encoding="utf-8"))
    stale = []
    VENDOR.mkdir(exist_ok=True)
    for source, target in vendored_files(manifest):
        if args.check:
            if not (VENDOR / target).is_file() or not filecmp.cmp(WEB / source, VENDOR / target, shallow=False):
                stale.append(target)
        else:
            shutil.copyfile(WEB / source, VENDOR / target)
            print(f"web/vendor/{target} <- web/{source}")
    if stale:
        print(f"web/vendor differs from the locked packages: {', '.join(stale)}; run `make vendor`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
