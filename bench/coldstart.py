"""Cold start as a Lambda sees it: a fresh interpreter's `import app` plus our own time in the
first request of each kind (POST /cases as the dispatcher, GET /cases/{id} as the officer), against
the floor of importing only what the app cannot do without (Chalice, pydantic, PynamoDB's models
and the Powertools logger). "Our own time" in a request leaves out what it waited on AWS (botocore's
before-call → after-call, `bench/recorder.py`): the requests go to the section's local stack, whose
moto answers far slower than DynamoDB does. Import-only figures are kept as diagnostics.

Each measurement is a new `python -c` process, timed inside the child with `time.perf_counter()`
around the import alone, so interpreter start-up is excluded. Best of 7. PYTHONDONTWRITEBYTECODE=1
as in `make` (site-packages keep the .pyc files pip wrote). The headline's children run in a copy
of the project laid out and compiled as the deployment package is (`infra/lambda_package.py`: the
package carries `unchecked-hash` bytecode, ADR 0039); the same children run from the source tree
(our modules compiled at import, as before ADR 0039) and, where `chalicelib.snapstart` exists, after
its `prime()` (what a SnapStart snapshot would hold), as diagnostics. The import-only diagnostics
run from the source tree.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FLOOR_IMPORT = "import chalice, pydantic, pynamodb.models, aws_lambda_powertools.logging"
FLOOR_WITH_MODELS = FLOOR_IMPORT + "; from pydantic import BaseModel"  # diagnostic: pydantic 2 loads BaseModel lazily
APP_IMPORT = "import app"
# Routes import their contracts and services on first use; this is what the first request then loads
# (before any I/O), so the deferral is visible rather than hidden.
APP_FIRST_REQUEST = (
    "import app; from chalicelib.api.routing import OPERATIONS, resolve; "
    "[resolve(r) for op in OPERATIONS for r in (op.body, op.reply, op.query) if r]; "
    "import chalicelib.services.intake, chalicelib.services.views, chalicelib.services.evidence, "
    "chalicelib.services.portal, chalicelib.integrations.secrets, jwt"
)
RUNS = 7
FIRST_REQUEST_RUNS = 3  # each makes a case on the local stack
TARGET = 1.5  # import + the first requests' own time / the floor
HEAVY = ("boto3", "botocore.session", "botocore.client", "moto", "requests", "aws_xray_sdk.core", "cryptography",
         "jwt", "reportlab", "qrcode", "PIL", "pydantic_settings", "argparse", "asyncio")

_TIMED_CHILD = """
import time
_t = time.perf_counter()
{statement}
_d = time.perf_counter() - _t
import json, sys
print(json.dumps({{"seconds": _d, "modules": sorted(sys.modules)}}))
"""

# The first requests go through Chalice's LocalGateway as the local stack's server does (event
# conversion + the app); what only the bench needs (the gateway, the recorder) is imported after the
# timed import, so it is not charged to the app.
_PRIME = "# prime"  # replaced by the SnapStart variant's call, made before the first request
_FIRST_REQUESTS_CHILD = """
import time
_t = time.perf_counter()
import app
imported = time.perf_counter() - _t
# prime
import json, os
from chalice.config import Config
from chalice.local import LocalGateway
from bench.recorder import Recorder

recorder = Recorder().install()
gateway = LocalGateway(app.app, Config.create(chalice_app=app.app, app_name="yunchetong", chalice_stage="dev",
                                              lambda_timeout=60))
dispatcher = {"authorization": "Bearer " + os.environ["BENCH_DISPATCHER"], "content-type": "application/json"}
officer = {"authorization": "Bearer " + os.environ["BENCH_OFFICER"]}
figures = {"import": imported}
for round in ("first", "second"):
    reply = gateway.handle_request("POST", "/cases", dict(dispatcher), os.environ["BENCH_CASE_BODY"].encode())
    assert reply["statusCode"] == 201, reply
    post = recorder.last()
    case_id = json.loads(reply["body"])["caseId"]
    reply = gateway.handle_request("GET", "/cases/" + case_id, dict(officer), b"")
    assert reply["statusCode"] == 200, reply
    get = recorder.last()
    figures[round] = {"post": post.own_seconds, "get": get.own_seconds, "post_wait": post.aws_wait,
                      "get_wait": get.aws_wait}
print(json.dumps(figures))
"""

_COMPILE_CHILD = """
import json, sys, time
import app
own = [m.__file__ for m in list(sys.modules.values())
       if getattr(m, "__file__", None) and (m.__name__ == "app" or m.__name__.startswith("chalicelib"))]
t = time.perf_counter()
for path in own:
    with open(path, encoding="utf-8") as handle:
        compile(handle.read(), path, "exec")
print(json.dumps({"seconds": time.perf_counter() - t, "files": len(own)}))
"""

_MARK = "### bench: floor imported ###"
_IMPORTTIME_CHILD = f"""
import sys
{FLOOR_IMPORT}
print({_MARK!r}, file=sys.stderr, flush=True)
import app
"""


@dataclass
class ColdStart:
    floor: list[float]
    app: list[float]
    floor_with_models: list[float]
    app_first_request: list[float]
    floor_modules: set[str]
    app_modules: set[str]
    compile_seconds: float
    compile_files: int
    heavy_by_package: list[tuple[str, float]] = field(default_factory=list)  # self time after the floor
    own_modules: list[tuple[str, float]] = field(default_factory=list)  # app's own modules, self time
    first_requests: list[dict[str, Any]] = field(default_factory=list)  # one per fresh interpreter, as packaged
    first_requests_source_tree: list[dict[str, Any]] = field(default_factory=list)  # the same, compiled at import
    first_requests_primed: list[dict[str, Any]] = field(default_factory=list)  # after snapstart.prime(), if any

    def cold(self, figures: dict[str, Any]) -> float:
        return float(figures["import"] + figures["first"]["post"] + figures["first"]["get"])

    @property
    def cold_best(self) -> float:
        return min(self.cold(f) for f in self.first_requests)

    @property
    def cold_ratio(self) -> float:
        return self.cold_best / self.floor_best

    @property
    def floor_best(self) -> float:
        return min(self.floor)

    @property
    def app_best(self) -> float:
        return min(self.app)

    @property
    def ratio(self) -> float:
        return self.app_best / self.floor_best

    @property
    def passed(self) -> bool:
        return self.cold_ratio <= TARGET

    @property
    def extra_top_level(self) -> list[str]:
        top = {m.split(".")[0] for m in self.app_modules} - {m.split(".")[0] for m in self.floor_modules}
        return sorted(m for m in top if not m.startswith("_") or m.startswith("__editable"))

    def heavy_present(self) -> dict[str, tuple[bool, bool]]:
        """module -> (imported by the floor, imported by app)."""
        return {m: (m in self.floor_modules, m in self.app_modules) for m in HEAVY}


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _child(code: str, *flags: str, extra_env: dict[str, str] | None = None,
           cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=cwd,
        env={**_environment(), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        raise RuntimeError(f"child exited {done.returncode}: {done.stderr[-2000:]}")
    return done


def _timed(statement: str) -> tuple[float, set[str]]:
    result = json.loads(_child(_TIMED_CHILD.format(statement=statement)).stdout.strip().splitlines()[-1])
    return float(result["seconds"]), set(result["modules"])


def _heavy_after_floor() -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Self import time (-X importtime) of what `import app` adds after the floor, per top-level
    package, and per module of the app's own code."""
    stderr = _child(_IMPORTTIME_CHILD, "-X", "importtime").stderr
    _, _, after = stderr.partition(_MARK)
    totals: dict[str, float] = defaultdict(float)
    own: dict[str, float] = {}
    for line in after.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        try:
            self_us = int(parts[0].split(":")[1])
        except (IndexError, ValueError):
            continue  # the header line
        name = parts[2].strip()
        totals[name.split(".")[0]] += self_us / 1e6
        if name == "app" or name.startswith("chalicelib"):
            own[name] = self_us / 1e6
    return (sorted(totals.items(), key=lambda kv: kv[1], reverse=True),
            sorted(own.items(), key=lambda kv: kv[1], reverse=True))


def snapstart_available() -> bool:
    return importlib.util.find_spec("chalicelib.snapstart") is not None


@dataclass
class FirstRequests:
    packaged: list[dict[str, Any]]  # the headline: the package's layout and bytecode
    source_tree: list[dict[str, Any]]  # our modules compiled at import (before ADR 0039)
    primed: list[dict[str, Any]]  # after chalicelib.snapstart.prime(); empty when it does not exist


def _packaged_copy(folder: Path) -> Path:
    """The project as the deployment package holds it: sources copied clean, then compiled."""
    from infra import lambda_package

    copy = folder / "project"
    lambda_package.copy_sources(PROJECT_ROOT, copy)
    lambda_package.compile_package(copy, copy / "__pycache__")
    return copy


def _first_requests(runs: int) -> FirstRequests:
    """Fresh interpreters against a local stack of their own: import + the first requests of each
    kind; the variants interleaved, so drift in machine load hits them alike."""
    from bench.api import running_stack
    from tests.factories import case_body, staff_token

    result = FirstRequests([], [], [])
    primed = _FIRST_REQUESTS_CHILD.replace(_PRIME, "from chalicelib.snapstart import prime; prime()")
    with running_stack("coldstart") as _, tempfile.TemporaryDirectory(prefix="yunchetong-package-") as scratch:
        package = _packaged_copy(Path(scratch))
        secret = os.environ["TOKEN_SECRET"]
        env = {"BENCH_DISPATCHER": staff_token("dispatcher", secret=secret),
               "BENCH_OFFICER": staff_token("officer", secret=secret),
               "PYTHONPATH": str(PROJECT_ROOT)}  # bench.recorder; `app` and `chalicelib` come from the cwd first
        for _ in range(runs):
            variants = [(result.packaged, _FIRST_REQUESTS_CHILD, package), (result.source_tree, _FIRST_REQUESTS_CHILD, PROJECT_ROOT)]
            if snapstart_available():
                variants.append((result.primed, primed, package))
            for figures, code, cwd in variants:
                env["BENCH_CASE_BODY"] = json.dumps(case_body(), ensure_ascii=False)
                done = _child(code, extra_env=env, cwd=cwd)
                figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return result


def measure(runs: int = RUNS) -> ColdStart:
    floor: list[float] = []
    app: list[float] = []
    floor_with_models: list[float] = []
    app_first_request: list[float] = []
    floor_modules: set[str] = set()
    app_modules: set[str] = set()
    for _ in range(runs):  # interleaved, so drift in machine load hits both alike
        seconds, floor_modules = _timed(FLOOR_IMPORT)
        floor.append(seconds)
        seconds, app_modules = _timed(APP_IMPORT)
        app.append(seconds)
        floor_with_models.append(_timed(FLOOR_WITH_MODELS)[0])
        app_first_request.append(_timed(APP_FIRST_REQUEST)[0])
    compiled = json.loads(_child(_COMPILE_CHILD).stdout.strip().splitlines()[-1])
    by_package, own_modules = _heavy_after_floor()
    first = _first_requests(FIRST_REQUEST_RUNS)
    return ColdStart(
        floor=floor,
        app=app,
        floor_with_models=floor_with_models,
        app_first_request=app_first_request,
        floor_modules=floor_modules,
        app_modules=app_modules,
        compile_seconds=float(compiled["seconds"]),
        compile_files=int(compiled["files"]),
        heavy_by_package=by_package,
        own_modules=own_modules,
        first_requests=first.packaged,
        first_requests_source_tree=first.source_tree,
        first_requests_primed=first.primed,
    )
