"""Shared fixtures: a fake AWS (moto, in process) with the table, bucket and seed in place."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api import Api
from tests.factories import wait_for

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-east-1",
        "AWS_REGION": "ap-east-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_DISABLED": "1",
        "TABLE_NAME": "yunchetong-test",
        "EVIDENCE_BUCKET": "yunchetong-test-evidence",
        "DOCUMENTS_BUCKET": "yunchetong-test-documents",
        "TOKEN_SECRET": "test-token-secret-of-sufficient-length-0123456789",
        "LOOKUP_HASH_KEY": "test-lookup-key",
        "PUBLIC_BASE_URL": "https://h5.example.test",
        "WECHAT_TOKEN": "test-wechat-token",
        "WECHAT_APP_ID": "wx1234567890test",
        "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    """moto's in-process backends are not thread-safe (a TransactWriteItems deep-copies the table
    while another thread writes it); AWS applies each request atomically, and so does the local
    stack's server (infra/local/persistence.py). Tests with threads — concurrent writers, the
    workflow's own threads — get the same: one moto request at a time."""
    import threading

    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__
    lock = threading.RLock()

    def serialised(self, event_name, request, **kwargs):
        with lock:
            return original(self, event_name, request, **kwargs)

    BotocoreStubber.__call__ = serialised
    yield
    BotocoreStubber.__call__ = original


@pytest.fixture(scope="session", autouse=True)
def _transactions_cost_by_their_items():
    """The local stack's TransactWriteItems patch (ADR 0035): a transaction copies only its items."""
    from infra.local import moto_dynamodb

    moto_dynamodb.install()


@pytest.fixture(scope="session", autouse=True)
def _copies_lock_as_on_s3():
    """The local S3's patch (infra/local/moto_s3.py): a CopyObject may lock its copy, as on S3."""
    from infra.local import moto_s3

    moto_s3.install()


@pytest.fixture
def aws():
    """A fresh in-process AWS per test: table, evidence bucket and reference data."""
    from moto import mock_aws

    from chalicelib.integrations.aws import reset_clients
    from chalicelib.settings import reset_settings
    from chalicelib.store import models, seed, ttl_cache
    from infra.local import message_box, resources

    reset_settings()
    reset_clients()
    models.reset_connections()
    ttl_cache.clear_all()  # reference data kept per container belongs to the previous test's AWS
    # Step Functions runs definitions for real (workflow tests); nothing starts one unless a test asks.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        resources.ensure_all()
        seed.seed()
        message_box.install()  # texts and WeChat notices land where the local stack keeps them
        yield
    reset_clients()


# The rescue workflow on moto's Step Functions engine: the real definition, the real handlers
# (run in-process by infra/local/lambdas.py), waits shortened through configuration.

# Short waits: a driver has 4 s to answer an offer, a missing report is alerted after 4 s.
TIMINGS = {
    # Long enough that a test answers well within them on a loaded machine, short enough that the
    # timeout tests do not wait long.
    "RESCUE_OFFER_SECONDS": "4",
    "RESCUE_ARRIVAL_SECONDS": "4",
    "RESCUE_COMPLETION_SECONDS": "4",
    "RESCUE_ALERT_SECONDS": "1",
    "RESCUE_MAX_ALERTS": "2",
}


@dataclass
class Flow:
    api: Api
    state_machine_arn: str
    install: Callable[[dict[str, Any] | None], None]

    def executions(self, status: str | None = None) -> list[dict[str, Any]]:
        from chalicelib.integrations.aws import client

        listed = client("stepfunctions").list_executions(stateMachineArn=self.state_machine_arn)["executions"]
        return [e for e in listed if status is None or e["status"] == status]

    def execution_status(self, name: str) -> str:
        from chalicelib.integrations.aws import client

        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        return str(client("stepfunctions").describe_execution(executionArn=arn)["status"])

    def finished(self, name: str, timeout: float = 15.0) -> str:
        return str(wait_for(lambda: (s := self.execution_status(name)) != "RUNNING" and s, timeout, what=f"{name} to finish"))


def stop_runs(state_machine_arn: str) -> None:
    """Stop every run of the state machine still running."""
    from chalicelib.integrations.aws import client

    sfn = client("stepfunctions")

    def stopped() -> bool:
        for execution in sfn.list_executions(stateMachineArn=state_machine_arn, statusFilter="RUNNING")["executions"]:
            try:
                sfn.stop_execution(executionArn=execution["executionArn"], cause="test over")
            except Exception:  # noqa: BLE001 (moto refuses to stop a run still starting: try again)
                return False
        return True

    wait_for(stopped, 10, what="runs to stop")


def _stop_all(flow: Flow, threads_before: set) -> None:
    """End every run the test left, and wait for their threads, so no step of a run outlives its
    test (it would run against the next test's tables)."""
    import threading

    stop_runs(flow.state_machine_arn)
    for thread in set(threading.enumerate()) - threads_before:
        # enumerate() may list a thread that is still being started: joining it then is an error
        if thread.daemon and thread.ident is not None:
            thread.join(timeout=15)  # a stopped run ends once its current wait lapses (moto)


@pytest.fixture
def flow(aws, monkeypatch):
    import threading

    from chalice.test import Client

    from app import app
    from chalicelib.settings import get_settings, reset_settings
    from infra.local import lambdas, resources
    from infra.local.requests_per_thread import requests_per_thread

    for key, value in TIMINGS.items():
        monkeypatch.setenv(key, value)
    reset_settings()

    def install(overrides: dict[str, Any] | None = None) -> None:
        lambdas.install("ap-east-1", get_settings().stage, overrides)

    install(None)
    threads_before = set(threading.enumerate())
    machine = resources.ensure_state_machines()["rescue"]
    monkeypatch.setenv("RESCUE_STATE_MACHINE_ARN", machine)
    reset_settings()
    with Client(requests_per_thread(app)) as client:  # the runs' threads call the app beside the test's
        current = Flow(Api(client), machine, install)
        yield current
        _stop_all(current, threads_before)
    lambdas.uninstall()
    reset_settings()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Test modules import `app`, which pauses garbage collection until its first request (ADR 0039);
    a test process is no cold container, so it collects as usual from the first test on."""
    from chalicelib import collector

    collector.resume()
