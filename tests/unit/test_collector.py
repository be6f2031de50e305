"""The cyclic garbage collector is paused while a cold container initialises and resumed, with what
initialisation built frozen, at the end of its first request (`chalicelib/collector.py`, ADR 0039)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib import collector

PROJECT_ROOT = Path(__file__).resolve().parents[2]

COLD_CONTAINER = """
import gc, json
freezes = []
real_freeze = gc.freeze
gc.freeze = lambda: (freezes.append(1), real_freeze())[1]
import app
paused = not gc.isenabled()
from chalice.test import Client
with Client(app.app) as client:
    status = client.http.get("/openapi.json").status_code
    after_first = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}
    client.http.get("/openapi.json")
print(json.dumps({"paused": paused, "status": status, "after_first": after_first, "freezes": len(freezes)}))
"""


def test_given_a_cold_container_when_app_is_imported_then_collection_waits_for_the_end_of_the_first_request() -> None:
    done = subprocess.run([sys.executable, "-c", COLD_CONTAINER], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["paused"] is True and seen["status"] == 200
    assert seen["after_first"]["enabled"] is True
    assert seen["after_first"]["frozen"] > 50_000  # modules, classes, validators: out of every later collection
    assert seen["freezes"] == 1  # once, not at every request


@pytest.fixture
def collecting() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    collector.resume()
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collecting")
def test_given_a_pause_when_resumed_twice_then_collection_is_on_and_the_second_resume_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Freezes counted at the call: the permanent generation's size is no measure, since frozen objects
    # other threads release leave it at any time.
    freezes: list[None] = []
    monkeypatch.setattr(collector.gc, "freeze", lambda: freezes.append(None))
    collector.pause()
    assert not gc.isenabled()
    collector.resume()
    assert gc.isenabled() and len(freezes) == 1
    gc.disable()  # someone else's choice from now on: a later resume must not undo it
    collector.resume()
    assert not gc.isenabled() and len(freezes) == 1


@pytest.mark.usefixtures("collecting")
def test_given_collection_already_off_when_paused_and_resumed_then_it_stays_off() -> None:
    gc.disable()  # a host that turned it off itself keeps it off
    collector.pause()
    collector.resume()
    assert not gc.isenabled()
