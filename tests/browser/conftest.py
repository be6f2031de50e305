"""The party page in Debian's Chromium, driven by Playwright, against the real local stack.

Never downloads a browser: Chromium comes from apt (`.ci/run` installs it). Outside CI a machine
without it skips these tests with the reason; in CI (CI set) a missing browser fails them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.stack import PROJECT_ROOT
from tests.factories import case_body, evidence_request, photo, wait_for
from tests.local_stack import RunningStack

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / ".screenshots"
PHONE = {"width": 390, "height": 844}
SCENE = {"latitude": 33.3801, "longitude": 120.1502}
DEADLINE_MS = 120_000  # generous: the machine may be busy; a passing wait returns at once
CALL_SECONDS = 120


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (as root) to run the browser tests"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[RunningStack]:
    _chromium_or_skip()
    running = RunningStack(tmp_path_factory.mktemp("browser-stack") / "state").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser) -> Iterator[Any]:
    """A phone: 390×844, Chinese, in Beijing, at the scene, location allowed."""
    opened = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN",
        timezone_id="Asia/Shanghai", geolocation=SCENE, permissions=["geolocation"],
    )
    opened.set_default_timeout(DEADLINE_MS)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context) -> Any:
    opened = context.new_page()
    opened.on("pageerror", lambda error: print(f"page error: {error}"))
    return opened


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Accident:
    """A case reported by the 110 call-taker on the running stack, and the SMS each party got."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self.dispatcher = stack.token("dispatcher")
        self.officer = stack.token("officer")
        created = self.call("POST", "/cases", self.dispatcher, case_body())
        assert created.status_code == 201, created.text
        self.case_id = created.json()["caseId"]
        self.parties = created.json()["parties"]

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> requests.Response:
        """A call to the stack with a deadline for a machine busy with the browser and other work."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, f"{self.stack.url}{path}", json=body, headers=headers, timeout=CALL_SECONDS)

    def cancel_rescues(self) -> None:
        """End the case's open rescue orders: their workflows and trucks do not outlive the test."""
        case = self.call("GET", f"/cases/{self.case_id}", self.dispatcher)
        assert case.status_code == 200, case.text
        for order in case.json()["rescues"]:
            self.call("POST", f"/cases/{self.case_id}/rescue/{order['orderId']}/cancel", self.dispatcher, {"reason": "测试结束"})

    def sms_link(self, index: int = 0) -> str:
        """The link texted to the party, read back from the local SMS box once the outbox sent it."""
        token = self.parties[index]["token"]

        def texted() -> str | None:
            box = self.call("GET", "/local/sms?limit=200", self.officer).json()["messages"]
            found = [m["text"] for m in box if token in m["text"]]
            return found[0][found[0].index("http"):].split()[0] if found else None

        link: str = wait_for(texted, timeout=60, every=0.5, what=f"party {index}'s SMS")
        return link

    def view(self, index: int = 0) -> dict[str, Any]:
        reply = self.call("GET", f"/cases/{self.case_id}", self.parties[index]["token"])
        assert reply.status_code == 200, reply.text
        return reply.json()


    def shoot_everything(self, picture: Callable[[int], bytes] | None = None) -> None:
        """Every required shot through the API (as the README's curl walk-through does); `picture`
        makes the bytes of shot n when they must be a real image."""
        token = self.parties[0]["token"]
        for seed, slot in enumerate(self.view()["evidence"]["checklist"]):
            content = picture(seed) if picture else photo(500 + seed, size=4096 + seed)
            requested = self.call("POST", f"/cases/{self.case_id}/evidence", token,
                                        evidence_request(content, slot["kind"], slot["partyId"]))
            assert requested.status_code == 201, requested.text
            upload = requested.json()["upload"]
            assert requests.put(upload["url"], data=content, headers=upload["headers"], timeout=CALL_SECONDS).status_code == 200
            done = self.call("POST", f"/cases/{self.case_id}/evidence/{requested.json()['evidenceId']}/complete", token)
            assert done.status_code == 200, done.text

    def determine(self) -> dict[str, Any]:
        at_fault = self.parties[0]["partyId"]
        determined = self.call("POST", f"/cases/{self.case_id}/determination", self.officer,
                                     {"scenario": "REAR_END", "atFaultPartyId": at_fault, "facts": "甲方追撞乙方车辆尾部。"})
        assert determined.status_code == 201, determined.text
        return dict(determined.json())


@pytest.fixture
def accident(stack) -> Iterator[Accident]:
    reported = Accident(stack)
    yield reported
    reported.cancel_rescues()
