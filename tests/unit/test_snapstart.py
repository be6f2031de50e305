"""Lambda SnapStart for the API (ADR 0037): `prime()` loads at init what a first request would,
without touching the network; `after_restore()` leaves nothing from the snapshot that must be
unique or fresh per environment; `app.py` registers both only when Lambda initialises for a snapshot."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from chalicelib import snapstart

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# A stand-in for the module only Lambda's managed Python runtimes ship: it records what is registered.
FAKE_RUNTIME_HOOKS = """
before_snapshot = []
after_restore = []

def register_before_snapshot(func, *args, **kwargs):
    before_snapshot.append(func.__module__ + "." + func.__name__)

def register_after_restore(func, *args, **kwargs):
    after_restore.append(func.__module__ + "." + func.__name__)
"""


def _run(code: str, *, extra_env: dict[str, str | None] | None = None, pythonpath: tuple[Path, ...] = ()) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != snapstart.INITIALIZATION_TYPE}
    for name, value in (extra_env or {}).items():
        if value is not None:
            env[name] = value
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in pythonpath), str(PROJECT_ROOT)])
    result = subprocess.run(  # our interpreter, our code
        [sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- registration ------------------------------------------------------------------------------


@pytest.fixture
def runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("snapshot_restore_py")
    exec(FAKE_RUNTIME_HOOKS, module.__dict__)  # noqa: S102 - our own stand-in
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return module


def test_given_a_snap_start_init_when_hooks_are_registered_then_prime_runs_before_the_snapshot_and_the_reset_after_restore(
    runtime_hooks: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, snapstart.SNAP_START)
    assert snapstart.register_hooks() is True
    assert runtime_hooks.before_snapshot == ["chalicelib.snapstart.prime"]
    assert runtime_hooks.after_restore == ["chalicelib.snapstart.after_restore"]


@pytest.mark.parametrize("init_type", [None, "on-demand", "provisioned-concurrency"])
def test_given_any_other_init_when_hooks_are_registered_then_nothing_is(
    init_type: str | None, runtime_hooks: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(snapstart.INITIALIZATION_TYPE, raising=False)
    if init_type is not None:
        monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, init_type)
    assert snapstart.register_hooks() is False
    assert runtime_hooks.before_snapshot == [] and runtime_hooks.after_restore == []


def test_given_a_snap_start_init_without_the_runtime_library_when_registered_then_nothing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(snapstart.INITIALIZATION_TYPE, snapstart.SNAP_START)
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as outside Lambda
    assert snapstart.register_hooks() is False


IMPORT_APP = """
import json, sys
import app
hooks = sys.modules.get("snapshot_restore_py")
print(json.dumps({
    "before_snapshot": getattr(hooks, "before_snapshot", None),
    "after_restore": getattr(hooks, "after_restore", None),
    "primed": [m for m in ("jwt", "chalicelib.services.intake", "botocore.client") if m in sys.modules],
}))
"""


@pytest.mark.parametrize(
    ("init_type", "registered"),
    [(snapstart.SNAP_START, True), ("on-demand", False), (None, False)],
)
def test_given_an_init_type_when_app_is_imported_then_the_hooks_are_registered_only_for_snap_start_and_nothing_is_primed_at_import(
    tmp_path: Path, init_type: str | None, registered: bool
) -> None:
    (tmp_path / "snapshot_restore_py.py").write_text(FAKE_RUNTIME_HOOKS)
    seen = _run(IMPORT_APP, extra_env={snapstart.INITIALIZATION_TYPE: init_type}, pythonpath=(tmp_path,))
    if registered:
        assert seen["before_snapshot"] == ["chalicelib.snapstart.prime"]
        assert seen["after_restore"] == ["chalicelib.snapstart.after_restore"]
    else:
        assert seen["before_snapshot"] is None  # the runtime library is not even imported
    # priming happens in the before-snapshot hook, never at import: `import app` stays as light
    assert seen["primed"] == []


# --- prime -------------------------------------------------------------------------------------

PRIME_OFFLINE = """
import json, socket, sys

attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args[:2]))
    raise OSError("network I/O while priming")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse

import botocore.session
created = []
create_client = botocore.session.Session.create_client

def counting(self, service_name, *args, **kwargs):
    created.append(service_name)
    return create_client(self, service_name, *args, **kwargs)

botocore.session.Session.create_client = counting

import app
from chalicelib import snapstart
from chalicelib.api.routing import OPERATIONS, resolve
from chalicelib.store.table import TableItem

snapstart.prime()

refs = {ref for op in OPERATIONS for ref in (op.body, op.reply, op.query) if ref}
models = [TableItem]
pending = list(TableItem.__subclasses__())
while pending:
    model = pending.pop()
    models.append(model)
    pending.extend(model.__subclasses__())
print(json.dumps({
    "attempts": attempts,
    "created": sorted(set(created)),
    "dynamodb_clients": created.count("dynamodb"),
    "item_models": len(models),
    "connected_models": sum(1 for m in models if (c := m.__dict__.get("_connection")) is not None and c.connection._client is not None),
    "loaded": [m for m in ("jwt", "cryptography.hazmat.primitives.asymmetric.rsa", "chalicelib.services.intake",
                           "chalicelib.services.determination", "chalicelib.integrations.cognito") if m in sys.modules],
    "contracts": len(refs),
    "incomplete_contracts": sorted(ref for ref in refs if not resolve(ref).__pydantic_complete__),
}))
"""


def test_given_a_fresh_interpreter_when_primed_then_routes_services_contracts_verifiers_and_clients_are_loaded_without_network() -> None:
    seen = _run(PRIME_OFFLINE)
    assert seen["attempts"] == []  # no socket opened, no name resolved
    assert set(snapstart.API_CLIENTS) | {"dynamodb"} == set(seen["created"])
    assert seen["connected_models"] == seen["item_models"]  # every item model connected
    assert seen["dynamodb_clients"] == 1  # through one DynamoDB client for them all (ADR 0039)
    assert seen["loaded"] == [
        "jwt",
        "cryptography.hazmat.primitives.asymmetric.rsa",
        "chalicelib.services.intake",
        "chalicelib.services.determination",
        "chalicelib.integrations.cognito",
    ]
    assert seen["contracts"] > 50 and seen["incomplete_contracts"] == []


# --- after restore -----------------------------------------------------------------------------


def test_given_clients_connections_and_cached_references_when_restored_then_each_is_made_anew() -> None:
    from chalicelib.integrations.aws import client
    from chalicelib.store.table import TableItem
    from chalicelib.store.ttl_cache import TtlCache

    s3 = client("s3")
    connection = TableItem._get_connection()
    names = TtlCache[str, str](seconds=3600)
    assert names.get("PICC", lambda _: "before the snapshot") == "before the snapshot"

    snapstart.after_restore()

    assert client("s3") is not s3  # no pooled socket (nor credentials) from the snapshot reused
    assert TableItem._get_connection() is not connection
    assert names.get("PICC", lambda _: "after restore") == "after restore"


def test_given_two_environments_restored_from_one_snapshot_when_each_jitters_a_retry_then_they_draw_differently() -> None:
    from chalicelib.services.delivery import backoff

    random.seed(2026)  # whatever state the snapshot froze
    snapshot = random.getstate()

    def restored_environment(reseed: bool) -> list[float]:
        random.setstate(snapshot)
        if reseed:
            snapstart.after_restore()
        return [backoff(attempts) for attempts in range(3, 8)]

    # without the hook every environment would retry on the same beat
    assert restored_environment(reseed=False) == restored_environment(reseed=False)
    assert restored_environment(reseed=True) != restored_environment(reseed=True)
