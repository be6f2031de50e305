"""The local stack runs the scheduled functions as EventBridge does in AWS: the mediation sweeper."""

from __future__ import annotations

from infra.local.stack import LocalStack
from tests.factories import wait_for


def test_given_the_local_stack_when_its_schedules_start_then_the_mediation_sweeper_runs_until_it_stops(monkeypatch, tmp_path):
    runs: list[int] = []

    def close_overdue_everywhere() -> int:
        runs.append(1)
        return 0

    monkeypatch.setattr("chalicelib.services.mediation.close_overdue_everywhere", close_overdue_everywhere)
    stack = LocalStack(state_dir=tmp_path, sweep_mediations_every=0.05)
    stack.start_schedules()
    wait_for(lambda: len(runs) >= 2, timeout=30, what="two sweeps")
    stack.stop_deliverer()  # the schedules stop with the deliverer
