"""Keeps the local AWS's state in a folder: moto's backends are pickled after every change
(debounced) and at shutdown, and restored before the server starts."""

from __future__ import annotations

import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SERVICES = ("dynamodb", "s3", "secretsmanager", "stepfunctions", "sqs", "events")
_READS = {
    "GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables", "DescribeTimeToLive",
    "TransactGetItems", "DescribeContinuousBackups", "GetSecretValue", "DescribeSecret", "ListSecrets",
}
log = logging.getLogger("yunchetong.local")


def _is_read(environ: dict[str, Any]) -> bool:
    method = environ.get("REQUEST_METHOD", "GET")
    if method in {"GET", "HEAD", "OPTIONS"}:
        return True
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return bool(target) and target.rsplit(".", 1)[-1] in _READS


class SnapshottingApp:
    """WSGI wrapper: serialises requests with snapshots so a snapshot never sees half a change."""

    def __init__(self, app: Callable[..., Iterable[bytes]], lock: threading.Lock, changed: threading.Event) -> None:
        self._app = app
        self._lock = lock
        self._changed = changed

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            body = list(self._app(environ, start_response))
        if not _is_read(environ):
            self._changed.set()
        return body


class StateFile:
    def __init__(self, path: Path, services: Iterable[str] = SERVICES) -> None:
        self.path = path
        self.services = tuple(services)

    def restore(self) -> bool:
        from moto.backends import get_backend

        if not self.path.exists():
            return False
        with self.path.open("rb") as handle:
            # Our own file, written by this process before: not untrusted input.
            state: dict[str, dict[str, Any]] = pickle.load(handle)  # noqa: S301
        for service, accounts in state.items():
            backend = get_backend(service)  # type: ignore[call-overload]
            for account, regions in accounts.items():
                backend[account] = regions
        return True

    def save(self, lock: threading.Lock) -> None:
        from moto.backends import get_backend
        from moto.core.model_instances import reset_model_data

        with lock:
            data = pickle.dumps({s: dict(get_backend(s)) for s in self.services}, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[call-overload]
            # moto keeps a reference to every model object it ever made (for its reset API), including
            # the table copies each transaction takes: forget them, or a long session grows without bound.
            reset_model_data()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)


class Snapshotter(threading.Thread):
    """Writes the state file shortly after changes stop arriving (at most every `interval` s)."""

    def __init__(self, state: StateFile, lock: threading.Lock, changed: threading.Event, interval: float = 0.5) -> None:
        super().__init__(name="snapshotter", daemon=True)
        self._state = state
        self._lock = lock
        self._changed = changed
        self._interval = interval
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            if self._changed.wait(timeout=self._interval):
                self._changed.clear()
                self._stopping.wait(self._interval)
                try:
                    self._state.save(self._lock)
                except Exception:  # keep serving; the next change retries
                    log.exception("snapshot failed")

    def stop(self) -> None:
        self._stopping.set()
        self._changed.set()
        self.join(timeout=5)
        self._state.save(self._lock)
