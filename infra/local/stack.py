"""One process, no Docker, no account: moto's server as the local AWS and the Chalice app over
HTTP, state kept in a folder. Application code only sees AWS_ENDPOINT_URL."""

from __future__ import annotations

import base64
import json
import logging
import os
import queue
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.function_environment import INTERPRETER_ENVIRONMENT

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_DIR = PROJECT_ROOT / ".local"
REGION = "ap-east-1"
API_LISTEN_BACKLOG = 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_secrets(state_dir: Path) -> dict[str, str]:
    """The local stack's keys (tokens, lookup hashes, WeChat message encryption), made once and
    kept with its state; a key added by a later version is made when first missing."""
    path = state_dir / "secrets.json"
    values = dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}
    wanted = {
        "tokenSecret": lambda: secrets.token_urlsafe(48),
        "lookupHashKey": lambda: secrets.token_urlsafe(32),
        # 43 characters of base64 without padding, as WeChat issues an EncodingAESKey.
        "wechatEncodingAesKey": lambda: base64.b64encode(secrets.token_bytes(32)).decode()[:43],
    }
    missing = {key: make() for key, make in wanted.items() if key not in values}
    if missing:
        values.update(missing)
        state_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(values), encoding="utf-8")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    return values


def environment(state_dir: Path, port: int, aws_port: int) -> dict[str, str]:
    keys = local_secrets(state_dir)
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "STAGE": "local",
        "TABLE_NAME": "yunchetong-local",
        "EVIDENCE_BUCKET": "yunchetong-local-evidence",
        "DOCUMENTS_BUCKET": "yunchetong-local-documents",
        "REPORTS_BUCKET": "yunchetong-local-reports",
        "TOKEN_SECRET": keys["tokenSecret"],
        "LOOKUP_HASH_KEY": keys["lookupHashKey"],
        "WECHAT_ENCODING_AES_KEY": os.environ.get("WECHAT_ENCODING_AES_KEY", keys["wechatEncodingAesKey"]),
        "WECHAT_TOKEN": os.environ.get("WECHAT_TOKEN", "yunchetong-local-token"),
        "WECHAT_APP_ID": os.environ.get("WECHAT_APP_ID", "wx0000000000local"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "INSURER_SECRET_PREFIX": "yunchetong/local/insurers",
        "DELIVERY_BASE_SECONDS": os.environ.get("DELIVERY_BASE_SECONDS", "2"),
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_DISABLED": "1",
        **INTERPRETER_ENVIRONMENT,
    }


@dataclass
class LocalStack:
    state_dir: Path = DEFAULT_STATE_DIR
    port: int = 8000
    aws_port: int = 4566
    host: str = "127.0.0.1"

    # The schedule's part (retries, anything missed); first attempts come from the outbox stream
    # (infra/local/outbox_stream.py). LOCAL_DELIVER_SECONDS lengthens it (a test of the stream).
    deliver_every: float = float(os.environ.get("LOCAL_DELIVER_SECONDS", "0.5"))
    # As EventBridge runs functions/mediation_sweeper in AWS (hourly); MEDIATION_SWEEP_SECONDS shortens it for a demo.
    sweep_mediations_every: float = float(os.environ.get("MEDIATION_SWEEP_SECONDS", "3600"))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._moto: Any = None
        self._api: Any = None
        self._state: Any = None
        self._compactor: Any = None
        self._stopping = threading.Event()
        self._closing = threading.Event()  # ends the open room event streams (infra/local/room_events.py)
        self._deliverer: threading.Thread | None = None
        self._new_messages: queue.SimpleQueue[str] = queue.SimpleQueue()  # outbox ids from the outbox stream
        self.sandbox: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws_origin(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    def start(self) -> LocalStack:
        os.environ.update(environment(self.state_dir, self.port, self.aws_port))
        self._reset_cached_clients()
        self._start_aws()
        from chalicelib.store.seed import seed
        from infra.local import message_box
        from infra.local.resources import ensure_all

        ensure_all()
        seed()
        message_box.install()
        self._start_workflows()
        self._start_api()
        self._start_insurer_sandbox()
        self._deliverer = threading.Thread(target=self._deliver_forever, name="deliverer", daemon=True)
        self._deliverer.start()
        self.start_schedules()
        return self

    def start_schedules(self) -> None:
        """The scheduled functions EventBridge runs in AWS, run here on their handlers by a thread each:
        the mediation sweeper (the rescue sweeper runs once at start, the calendar check is AWS's alarm)."""
        from functions.mediation_sweeper.handler import handler as sweep_mediations
        from infra.local.lambdas import LambdaContext

        context = LambdaContext(function_name="yunchetong-local-mediation-sweeper")
        threading.Thread(target=self._repeat, args=(self.sweep_mediations_every, lambda: sweep_mediations({}, context)),
                         name="mediation-sweeper", daemon=True).start()
        self._start_report_schedules()

    def _start_report_schedules(self) -> None:
        """The daily and monthly reports, at the Beijing times EventBridge Scheduler fires them in AWS
        (chalicelib/domain/report_schedule.py): timed, not repeated, and given the scheduled time."""
        from chalicelib.domain.report_schedule import DAILY, MONTHLY
        from functions.report_daily.handler import handler as daily
        from functions.report_monthly.handler import handler as monthly
        from infra.local.lambdas import LambdaContext

        for name, schedule, handler in (("report-daily", DAILY, daily), ("report-monthly", MONTHLY, monthly)):
            context = LambdaContext(function_name=f"yunchetong-local-{name}")
            threading.Thread(target=self._at_times, args=(schedule, handler, context), name=name, daemon=True).start()

    def _at_times(self, schedule: Any, handler: Any, context: Any) -> None:
        """Run a scheduled function at each of its times until the stack stops; a failed run waits for the next."""
        from datetime import UTC, datetime

        while not self._stopping.is_set():
            due = schedule.next_after(datetime.now(UTC))
            if self._stopping.wait(max(0.0, (due - datetime.now(UTC)).total_seconds())):
                return
            try:
                handler({"time": due.astimezone(UTC).isoformat()}, context)
            except Exception:
                logging.getLogger("yunchetong.local").exception("scheduled run failed")

    def _repeat(self, every: float, run: Any) -> None:
        """Run a scheduled function now (a local stack is often restarted) and every so often until the
        stack stops; a failed run waits for the next."""
        while not self._stopping.is_set():
            try:
                run()
            except Exception:
                logging.getLogger("yunchetong.local").exception("scheduled run failed")
            self._stopping.wait(every)

    def _start_workflows(self) -> None:
        """Step Functions runs the real definitions, their Lambda tasks answered in this process.

        Runs do not survive a restart (moto keeps them in threads), so orders a previous session
        left open are ended FAILED and their trucks released: never a truck stuck busy."""
        from moto.core.config import default_user_config

        from chalicelib.settings import get_settings, reset_settings
        from infra.local import lambdas
        from infra.local.resources import ensure_state_machines

        default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
        # moto's engine logs every caught task failure (a declined or unanswered offer is one) as
        # an ERROR with the whole state dumped; the run's outcome is on the order and its history.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        lambdas.install(REGION, get_settings().stage)
        machines = ensure_state_machines()
        os.environ["RESCUE_STATE_MACHINE_ARN"] = machines["rescue"]
        os.environ["FUND_STATE_MACHINE_ARN"] = machines["fund"]
        os.environ["MEDICAL_STATE_MACHINE_ARN"] = machines["medical"]
        reset_settings()
        from chalicelib.services.rescue.steps import release_orphans

        released = release_orphans("LocalStackRestarted", every_open=True)  # no run survives a restart
        if released:
            logging.getLogger("yunchetong.local").warning("ended %d rescue orders left open by the previous run", released)

    def _start_insurer_sandbox(self) -> None:
        """Stand-in claim systems for the 23 insurers, on loopback: each insurer's secret is made
        if missing and its webhook URL points at the sandbox, which answers claims by script."""
        from chalicelib.config import load
        from chalicelib.integrations import insurer_secrets
        from chalicelib.store.models import ReferenceItem
        from infra.local.sandbox import InsurerSandbox

        codes = {insurer["code"] for insurer in load("seed_yancheng")["insurers"]}

        def secret_of(code: str) -> list[str]:
            if code not in codes:
                raise KeyError(code)  # the sandbox answers 404 for an insurer it does not stand in for
            return insurer_secrets.secrets_in_force(code)

        self.sandbox = InsurerSandbox(self.url, secret_of).start()
        for insurer in load("seed_yancheng")["insurers"]:
            insurer_secrets.ensure(insurer["code"])
            item = ReferenceItem.get("REF#INSURER", insurer["code"])
            attributes = item.attributes.as_dict() if item.attributes is not None else {}
            if attributes.get("webhookUrl") != self.sandbox.webhook_url(insurer["code"]):
                item.attributes = {**attributes, "webhookUrl": self.sandbox.webhook_url(insurer["code"])}
                item.save()

    def _deliver_forever(self) -> None:
        """The outbox deliverer as AWS runs it: each new message's first attempt as soon as the
        outbox stream hands it over, and the scheduled run (what is due again) every `deliver_every`."""
        import logging as std_logging

        from chalicelib.services.delivery import deliver_due, deliver_new

        next_run = time.monotonic() + self.deliver_every
        while not self._stopping.is_set():
            try:
                try:
                    deliver_new(self._new_messages.get(timeout=max(0.0, min(next_run - time.monotonic(), 0.5))))
                except queue.Empty:
                    pass
                if time.monotonic() >= next_run:
                    next_run = time.monotonic() + self.deliver_every
                    deliver_due()
            except Exception:  # keep delivering; the next round retries
                std_logging.getLogger("yunchetong.local").exception("delivery round failed")

    def _stream_new_messages(self, outbox_ids: list[str]) -> None:
        if not self._stopping.is_set():
            for outbox_id in outbox_ids:
                self._new_messages.put(outbox_id)

    def stop_deliverer(self) -> None:
        """Stop delivering the outbox (benchmarks measure the rest without its background work)."""
        self._stopping.set()
        if self._deliverer is not None:
            self._deliverer.join(timeout=30)

    def stop(self) -> None:
        self._closing.set()
        self.stop_deliverer()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self._api is not None:
            self._api.shutdown()
            self._api.server.server_close()
        if self._moto is not None:
            self._moto.shutdown()
            self._moto.server_close()
        if self._compactor is not None:
            self._compactor.stop()
        if self._state is not None:
            self._state.close(self._lock)  # a snapshot: the next start replays nothing

    def _reset_cached_clients(self) -> None:
        from chalicelib.integrations.aws import reset_clients
        from chalicelib.settings import reset_settings
        from chalicelib.store.models import reset_connections

        reset_settings()
        reset_clients()
        reset_connections()

    def _start_aws(self) -> None:
        """moto's server over the state folder: the snapshot loaded, the journal replayed and folded
        into a new snapshot, then every acknowledged change journaled (infra/local/persistence.py)."""
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from infra.local import moto_dynamodb, moto_s3
        from infra.local.outbox_stream import OutboxStream
        from infra.local.persistence import Compactor, JournalingApp, StateFolder

        moto_dynamodb.install()  # before the journal is replayed: transactions cost by their items (ADR 0035)
        moto_s3.install()  # a copy locks its copy as on S3 (ADR 0040)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        moto_app = DomainDispatcherApplication(create_backend_app)
        self._state = StateFolder(self.state_dir)
        started = time.perf_counter()
        replayed = self._state.restore(moto_app)
        self._state.open(self._lock, replayed)
        logging.getLogger("yunchetong.local").info("local AWS state loaded: %d journaled changes replayed in %.1f s",
                                                   replayed, time.perf_counter() - started)
        grown = threading.Event()
        self._compactor = Compactor(self._state, self._lock, grown)
        self._compactor.start()
        # The outbox stream sees a write once it is journaled, as DynamoDB streams committed writes.
        app = JournalingApp(moto_app, self._state, self._lock, grown, committed=OutboxStream(self._stream_new_messages).committed)
        self._moto = make_server(self.host, self.aws_port, app, threaded=True, request_handler=MotoRequestHandler)
        threading.Thread(target=self._moto.serve_forever, name="local-aws", daemon=True).start()

    def _start_api(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, LocalDevServer, ThreadedHTTPServer

        from app import app
        from infra.local import room_events
        from infra.local.pages import with_pages
        from infra.local.requests_per_thread import requests_per_thread

        requests_per_thread(app)  # the server answers on many threads
        config = Config.create(chalice_app=app, app_name="yunchetong", chalice_stage="dev", lambda_timeout=60)
        # socketserver's listen backlog is 5: a burst of parallel clients (a page's fetches, a load
        # test) had connections reset. The kernel caps it at net.core.somaxconn.
        server_cls = type("LocalApiServer", (ThreadedHTTPServer,), {"request_queue_size": API_LISTEN_BACKLOG})
        # The room's event stream is served beside Chalice's handler, which buffers whole replies;
        # the pages (web/) from the API's own origin, as CloudFront serves them in AWS.
        handler_cls = with_pages(_quiet(room_events.handler_class(ChaliceRequestHandler, self._closing)), self.aws_origin)
        self._api = LocalDevServer(app, config, self.host, self.port, handler_cls=handler_cls, server_cls=server_cls)
        threading.Thread(target=self._api.server.serve_forever, name="api", daemon=True).start()


def _quiet(base: type) -> type:
    """The app logs each request itself (masked, without query strings that may hold tokens).

    Nagle off: the handler writes headers and body separately, and with Nagle on the body waits
    for the client's delayed ACK (about 40 ms) on every keep-alive request.
    """
    return type(
        "QuietRequestHandler", (base,), {"log_message": lambda self, *args: None, "disable_nagle_algorithm": True}
    )
