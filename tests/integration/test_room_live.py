"""The room's live feed on the real local stack: a second member receives a new message as it is posted."""

from __future__ import annotations

import json
import queue
import threading

import pytest
import requests

from tests.factories import case_body, wait_for
from tests.local_stack import RunningStack


@pytest.fixture
def stack(tmp_path):
    running = RunningStack(tmp_path / "state").start()
    yield running
    running.stop()


def _listen(url: str, received: queue.Queue, stop: threading.Event) -> threading.Thread:
    """Read the event stream in the background: each event as (name, data)."""

    def read() -> None:
        with requests.get(url, stream=True, timeout=(10, 60)) as reply:
            received.put(("status", reply.status_code))
            name, data = None, None
            for line in reply.iter_lines(chunk_size=1, decode_unicode=True):
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    data = json.loads(line[len("data: "):])
                elif line == "" and name:
                    received.put((name, data))
                    name, data = None, None

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _next(received: queue.Queue, name: str) -> object:
    def found():
        while not received.empty():
            event, data = received.get()
            if event == name:
                return data or True
        return None

    return wait_for(found, 60, what=f"a {name} event")


def test_given_a_member_listening_when_another_posts_then_it_receives_the_message_live_and_outsiders_404(stack):
    dispatcher = stack.token("dispatcher")
    created = stack.call("POST", "/cases", dispatcher, case_body()).json()
    case_id, first, second = created["caseId"], created["parties"][0]["token"], created["parties"][1]["token"]
    outsider = requests.get(f"{stack.url}/cases/{case_id}/room/events?token={stack.token('insurer', 'CPIC')}", timeout=10)
    assert outsider.status_code == 404 and outsider.json()["error"]["field"] == "caseId"

    received: queue.Queue = queue.Queue()
    stop = threading.Event()
    _listen(f"{stack.url}/cases/{case_id}/room/events?token={second}", received, stop)
    assert _next(received, "status") == 200
    ready = _next(received, "ready")
    posted = stack.call("POST", f"/cases/{case_id}/room/messages", first, {"text": "我已到达现场，电话13812345670"})
    assert posted.status_code == 201, posted.text
    message = _next(received, "message")
    stop.set()
    assert message["seq"] == 1 and message["sender"] == {"kind": "party", "label": "甲方", "role": "party", "me": False}
    assert message["text"] == "我已到达现场，电话138****5670"  # the second party reads the first's number masked
    assert isinstance(ready, dict) and ready["cursor"] != message["cursor"]
