"""Keeps the local AWS's state in a folder, losing nothing it acknowledged (ADR 0004).

Two files make the state: a snapshot (moto's backends, pickled) and a write-ahead journal of
every mutating request moto's server applied since that snapshot. A mutating request is applied,
appended to the journal and fsync'ed before its answer leaves: whatever a client was told is
done is on disk, even after `kill -9`. At start the snapshot is loaded, the journal replayed on
it, and a new snapshot taken; while running, a snapshot is taken whenever the journal grows
past a size, so a restart replays little.

Replaying a request reproduces what it did, except what moto draws at random: S3 object version
ids. Those are recorded with the request and handed back on replay, so a version id the app
stored in a case still names the same bytes after a restart.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import logging
import os
import pickle
import struct
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SERVICES = ("dynamodb", "s3", "secretsmanager", "stepfunctions", "sqs", "events")
_READS = {
    "GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables", "DescribeTimeToLive",
    "TransactGetItems", "DescribeContinuousBackups", "GetSecretValue", "DescribeSecret", "ListSecrets",
    "DescribeExecution", "ListExecutions", "GetExecutionHistory", "ListStateMachines", "DescribeStateMachine",
}
_FRAME = struct.Struct(">II")  # payload length, CRC-32 of the payload
# A snapshot once the journal holds this much, or once writes pause this long: replaying is slow
# (moto copies a table for each transaction, about 20 ms a request on a busy machine), a snapshot of
# 1,000 cases takes about a second under the lock.
COMPACT_AFTER_BYTES = 4 << 20
COMPACT_WHEN_IDLE_SECONDS = 5.0
log = logging.getLogger("yunchetong.local")


def _is_read(environ: dict[str, Any]) -> bool:
    method = environ.get("REQUEST_METHOD", "GET")
    if method in {"GET", "HEAD", "OPTIONS"}:
        return True
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return bool(target) and target.rsplit(".", 1)[-1] in _READS


# --- S3: every version in the snapshot, the same version ids on replay ----------------------------


def _versioned_store_lists(store: Any) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    # moto's versioned key store is a dict whose items() yield only each key's latest version, and
    # pickle saves a dict subclass through items(): every older version (locked ones too) was lost.
    return _rebuild_versioned_store, (type(store), {key: list(versions) for key, versions in dict.items(store)})


def _rebuild_versioned_store(cls: type, lists: dict[str, list[Any]]) -> Any:
    store = cls()
    for key, versions in lists.items():
        dict.__setitem__(store, key, versions)
    return store


class VersionIds:
    """Stands in for moto's random source in its S3 models, which draws each new object version's
    id from `uuid4()`: records the ids a live request draws, and hands recorded ids back on replay."""

    def __init__(self, random: Any) -> None:
        self._random = random
        self._drawn: list[str] | None = None
        self._replaying: deque[str] = deque()

    def uuid4(self) -> uuid.UUID:
        if self._replaying:
            return uuid.UUID(self._replaying.popleft())
        value: uuid.UUID = self._random.uuid4()
        if self._drawn is not None:
            self._drawn.append(str(value))
        return value

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[str]]:
        self._drawn = drawn = []
        try:
            yield drawn
        finally:
            self._drawn = None

    @contextlib.contextmanager
    def replaying(self, ids: Iterable[str]) -> Iterator[None]:
        self._replaying = deque(ids)
        try:
            yield
        finally:
            self._replaying.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._random, name)


def install_s3_fidelity() -> VersionIds:
    """Every S3 version pickled, and version ids recorded and replayed (idempotent)."""
    import moto.s3.models as s3_models
    from moto.s3.utils import _VersionedKeyStore

    copyreg.pickle(_VersionedKeyStore, _versioned_store_lists)
    if not isinstance(s3_models.random, VersionIds):
        s3_models.random = VersionIds(s3_models.random)  # type: ignore[assignment]
    return s3_models.random


# --- the journal ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """One applied mutating request: enough of its WSGI environ to apply it again, and what it drew."""

    environ: dict[str, str]
    body: bytes
    version_ids: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, environ: dict[str, Any], body: bytes, version_ids: list[str]) -> Entry:
        kept = {k: v for k, v in environ.items() if isinstance(v, str) and (k.isupper() or k == "wsgi.url_scheme")}
        return cls(kept, body, version_ids)

    def wsgi_environ(self) -> dict[str, Any]:
        return {**self.environ, "wsgi.input": io.BytesIO(self.body), "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
                "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False}


class Journal:
    """Append-only frames (length, CRC, pickled Entry); a torn last frame (a crash mid-write, never
    acknowledged) ends the reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.size = os.fstat(self._fd).st_size
        self._synced = self.size
        self.last_append = time.monotonic()
        self._sync_lock = threading.Lock()

    def append(self, entry: Entry) -> int:
        """Write one entry (to the OS, not yet to disk); returns the offset `sync` must reach."""
        payload = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        os.write(self._fd, _FRAME.pack(len(payload), zlib.crc32(payload)) + payload)
        self.size += _FRAME.size + len(payload)
        self.last_append = time.monotonic()
        return self.size

    def sync(self, through: int) -> None:
        """On disk up to `through`: one fsync covers every entry written before it (group commit)."""
        with self._sync_lock:
            if self._synced >= through:
                return
            target = self.size
            os.fsync(self._fd)
            self._synced = target

    def close(self) -> None:
        with self._sync_lock:  # a request still syncing after a compaction finds everything on disk
            os.fsync(self._fd)
            os.close(self._fd)
            self._synced = self.size

    @staticmethod
    def read(path: Path) -> Iterator[Entry]:
        data = path.read_bytes() if path.exists() else b""
        offset = 0
        while offset + _FRAME.size <= len(data):
            length, crc = _FRAME.unpack_from(data, offset)
            payload = data[offset + _FRAME.size : offset + _FRAME.size + length]
            if len(payload) < length or zlib.crc32(payload) != crc:
                log.warning("journal %s: torn entry at byte %d ignored (it was never acknowledged)", path.name, offset)
                return
            # Our own file, written by this process before: not untrusted input.
            yield pickle.loads(payload)  # noqa: S301
            offset += _FRAME.size + length


# --- the state folder: snapshot + journals -------------------------------------------------------


class StateFolder:
    """`snapshot.pickle` ({generation, services}) and `journal-<generation>.log` files: the state is
    the snapshot with every journal of its generation or later replayed on it, in order."""

    def __init__(self, folder: Path, services: Iterable[str] = SERVICES) -> None:
        self.folder = folder
        self.services = tuple(services)
        self.snapshot = folder / "snapshot.pickle"
        self.legacy_snapshot = folder / "aws-state.pickle"  # before the journal: the services alone, maybe seconds old
        self.generation = 0
        self.journal: Journal | None = None
        self.version_ids = install_s3_fidelity()

    def _journal_path(self, generation: int) -> Path:
        return self.folder / f"journal-{generation:08d}.log"

    def _journals(self) -> list[tuple[int, Path]]:
        found = [(int(p.stem.split("-", 1)[1]), p) for p in self.folder.glob("journal-*.log")]
        return sorted(found)

    def restore(self, app: Callable[..., Iterable[bytes]]) -> int:
        """Load the snapshot and replay the journals on it through moto's `app`; the entries replayed."""
        from moto.backends import get_backend

        if self.snapshot.exists() or self.legacy_snapshot.exists():
            with (self.snapshot if self.snapshot.exists() else self.legacy_snapshot).open("rb") as handle:
                state: dict[str, Any] = pickle.load(handle)  # noqa: S301 - our own file
            if "generation" not in state:
                state = {"generation": 0, "services": state}
            self.generation = state["generation"]
            for service, accounts in state["services"].items():
                backend = get_backend(service)  # type: ignore[call-overload]
                for account, regions in accounts.items():
                    backend[account] = regions
        replayed = 0
        with _workflows_not_run():
            for generation, path in self._journals():
                if generation < self.generation:
                    continue  # folded into the snapshot before a crash could delete it
                for entry in Journal.read(path):
                    self._apply(app, entry)
                    replayed += 1
        return replayed

    def _apply(self, app: Callable[..., Iterable[bytes]], entry: Entry) -> None:
        outcome: list[str] = []
        with self.version_ids.replaying(entry.version_ids):
            try:
                b"".join(app(entry.wsgi_environ(), lambda status, headers, exc_info=None: outcome.append(status)))
            except Exception:  # one bad entry must not keep the rest of the state from loading
                log.exception("replaying %s %s failed", entry.environ.get("REQUEST_METHOD"), entry.environ.get("PATH_INFO"))
                return
        if outcome and int(outcome[0].split()[0]) >= 400:
            log.warning("replayed %s %s answered %s", entry.environ.get("REQUEST_METHOD"), entry.environ.get("PATH_INFO"), outcome[0])

    def compact(self, lock: threading.Lock) -> None:
        """Snapshot the state and start a new journal; journals it covers are then deleted."""
        from moto.backends import get_backend
        from moto.core.model_instances import reset_model_data

        with lock:
            generation = self.generation + 1
            services = {s: dict(get_backend(s)) for s in self.services}  # type: ignore[call-overload]
            data = pickle.dumps({"generation": generation, "services": services}, protocol=pickle.HIGHEST_PROTOCOL)
            # moto keeps a reference to every model object it ever made (for its reset API), including
            # the table copies each transaction takes: forget them, or a long session grows without bound.
            reset_model_data()
            previous, self.journal = self.journal, Journal(self._journal_path(generation))
            self.generation = generation
        if previous is not None:
            previous.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.snapshot.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.snapshot)
        _fsync_folder(self.folder)
        for old, path in self._journals():
            if old < generation:
                path.unlink()
        self.legacy_snapshot.unlink(missing_ok=True)

    def open(self, lock: threading.Lock, replayed: int) -> None:
        """Start journaling: on the current snapshot's journal when it is up to date (a clean stop
        before), else after folding what was replayed into a new snapshot."""
        if replayed or not self.snapshot.exists():
            self.compact(lock)
        else:
            self.journal = Journal(self._journal_path(self.generation))

    def close(self, lock: threading.Lock) -> None:
        self.compact(lock)
        if self.journal is not None:
            self.journal.close()
            self.journal = None


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _workflows_not_run() -> Iterator[None]:
    """A replayed StartExecution records the run without running it again (runs do not survive a
    restart; the stack ends orders left open, see stack.py)."""
    from moto.core.config import default_user_config

    config = default_user_config.setdefault("stepfunctions", {})
    before = config.get("execute_state_machine")
    config["execute_state_machine"] = False
    try:
        yield
    finally:
        if before is None:
            config.pop("execute_state_machine", None)
        else:
            config["execute_state_machine"] = before


# --- serving -------------------------------------------------------------------------------------


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        return bytes(stream.read(int(length)))
    return bytes(stream.read()) if environ.get("wsgi.input_terminated") else b""


class JournalingApp:
    """WSGI wrapper around moto's app: one request at a time (as AWS applies each atomically, and
    so a snapshot never sees half a change); a mutating request that succeeded is journaled and on
    disk before its answer is returned. `committed(environ, body)`, if given, sees each such request
    once it is on disk (the local outbox stream, infra/local/outbox_stream.py)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], state: StateFolder, lock: threading.Lock, grown: threading.Event,
                 committed: Callable[[dict[str, Any], bytes], None] | None = None) -> None:
        self._app = app
        self._state = state
        self._lock = lock
        self._grown = grown
        self._committed = committed

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if _is_read(environ):
            with self._lock:
                return list(self._app(environ, start_response))
        body = _read_body(environ)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        statuses: list[str] = []

        def recording_start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        with self._lock:
            journal = self._state.journal
            assert journal is not None, "the state folder is not open"
            with self._state.version_ids.recording() as drawn:
                answer = list(self._app(environ, recording_start_response))
            if not statuses or int(statuses[0].split()[0]) >= 400:
                return answer  # refused: nothing changed, nothing to replay
            through = journal.append(Entry.of(environ, body, drawn))
        journal.sync(through)
        if journal.size > COMPACT_AFTER_BYTES:
            self._grown.set()
        if self._committed is not None:
            self._committed(environ, body)
        return answer


class Compactor(threading.Thread):
    """Takes a snapshot when the journal has grown past its size or writes have paused, off the
    request path, so a restart after a crash has little to replay."""

    def __init__(self, state: StateFolder, lock: threading.Lock, grown: threading.Event) -> None:
        super().__init__(name="compactor", daemon=True)
        self._state = state
        self._lock = lock
        self._grown = grown
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            grown = self._grown.wait(COMPACT_WHEN_IDLE_SECONDS)
            self._grown.clear()
            journal = self._state.journal
            if self._stopping.is_set() or journal is None:
                return
            idle = journal.size > 0 and time.monotonic() - journal.last_append >= COMPACT_WHEN_IDLE_SECONDS
            if not (grown or idle):
                continue
            try:
                self._state.compact(self._lock)
            except Exception:  # keep serving: the journal still holds everything
                log.exception("snapshot failed")

    def stop(self) -> None:
        self._stopping.set()
        self._grown.set()
        self.join(timeout=60)
