"""Delivery in seconds on the real local stack (`make run`, issue 16): a notice's first attempt
starts within seconds of the commit that queued it, through the local outbox stream
(infra/local/outbox_stream.py), as the table's stream starts it in AWS. The scheduled run is put
a minute apart, as in AWS, so only the stream can make the deadline."""

from __future__ import annotations

import time

import requests

from tests.factories import case_body, wait_for
from tests.local_stack import RunningStack

DEADLINE_SECONDS = 10.0  # generous for a busy machine; the stream takes well under a second


def test_given_a_reported_case_when_committed_then_the_partys_notice_is_sent_within_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCAL_DELIVER_SECONDS", "60")  # the schedule's part: retries only, once a minute
    stack = RunningStack(tmp_path / "state").start()
    try:
        dispatcher = stack.token("dispatcher")
        headers = {"Authorization": f"Bearer {dispatcher}"}
        committed = time.monotonic()
        created = requests.post(f"{stack.url}/cases", json=case_body(), headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        case_id = created.json()["caseId"]

        def sent() -> list:
            box = requests.get(f"{stack.url}/local/sms?limit=200", headers=headers, timeout=10).json()["messages"]
            return [m for m in box if m.get("caseId") == case_id]

        wait_for(sent, timeout=DEADLINE_SECONDS, what="the party's notice of the new case")
        assert time.monotonic() - committed < DEADLINE_SECONDS
    finally:
        stack.stop()
