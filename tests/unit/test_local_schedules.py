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


def test_given_the_local_stack_when_a_report_time_comes_then_the_report_function_runs_with_that_time(monkeypatch, tmp_path):
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain import report_schedule

    fired: list[tuple[str, dict]] = []
    soon = datetime.now(UTC) + timedelta(seconds=0.2)
    for name, schedule in (("daily", report_schedule.DAILY), ("monthly", report_schedule.MONTHLY)):
        # the first time is in a moment, the next ones a day away: each function runs once
        monkeypatch.setattr(type(schedule), "next_after", lambda self, now: soon if now < soon else now + timedelta(days=1))
        monkeypatch.setattr(f"functions.report_{name}.handler.handler",
                            lambda event, context, name=name: fired.append((name, event)))
    monkeypatch.setattr("chalicelib.services.mediation.close_overdue_everywhere", lambda: 0)
    stack = LocalStack(state_dir=tmp_path)
    stack.start_schedules()
    wait_for(lambda: len(fired) >= 2, timeout=30, what="the daily and monthly reports")
    stack.stop_deliverer()

    assert sorted(name for name, _ in fired) == ["daily", "monthly"]
    assert all(event == {"time": soon.isoformat()} for _, event in fired)
