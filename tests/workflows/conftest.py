"""The rescue workflow on moto's Step Functions engine: the real definition, the real handlers
(run in-process by infra/local/lambdas.py), waits shortened through configuration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from tests.api import Api
from tests.factories import wait_for

# Short waits: a driver has 2 s to answer an offer, a report is alerted after 2 s.
TIMINGS = {
    "RESCUE_OFFER_SECONDS": "2",
    "RESCUE_ARRIVAL_SECONDS": "2",
    "RESCUE_COMPLETION_SECONDS": "2",
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


def _stop_all(flow: Flow) -> None:
    """End every run the test left waiting, so no step of it runs against a later test's tables."""
    from chalicelib.integrations.aws import client

    sfn = client("stepfunctions")
    for execution in flow.executions("RUNNING"):
        sfn.stop_execution(executionArn=execution["executionArn"], cause="test over")
    wait_for(lambda: not flow.executions("RUNNING"), 10, what="runs to stop")


@pytest.fixture
def flow(aws, monkeypatch):
    from app import app
    from chalicelib.settings import get_settings, reset_settings
    from infra.local import lambdas, resources

    for key, value in TIMINGS.items():
        monkeypatch.setenv(key, value)
    reset_settings()

    def install(overrides: dict[str, Any] | None = None) -> None:
        lambdas.install("ap-east-1", get_settings().stage, overrides)

    install(None)
    machine = resources.ensure_state_machines()["rescue"]
    monkeypatch.setenv("RESCUE_STATE_MACHINE_ARN", machine)
    reset_settings()
    with Client(app) as client:
        current = Flow(Api(client), machine, install)
        yield current
        _stop_all(current)
    lambdas.uninstall()
    reset_settings()
