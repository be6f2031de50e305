"""The hospital's page: a nurse scans the patient's direct-pay QR code with the camera (Chromium's
fake camera showing the real code of an approved application), admits the patient and posts the
bills in yuan (sent in fen); forged, other-hospital and already-used codes are refused in words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, DEADLINE_MS, PHONE, Accident, screenshot
from tests.browser.fake_camera import qr_video
from tests.browser.staff_session import sign_in
from tests.factories import injury_case_body

HOSPITAL, OTHER_HOSPITAL = "YCH01", "YCH02"


class InjuryCase(Accident):
    """A slight-injury accident, determined, whose injured party's direct pay the officer approved."""

    def __init__(self, stack: Any) -> None:  # Accident reports a plain crash; this one an injury, then the same steps
        self.stack = stack
        self.dispatcher = stack.token("dispatcher")
        self.officer = stack.token("officer")
        created = self.call("POST", "/cases", self.dispatcher, injury_case_body())
        assert created.status_code == 201, created.text
        self.case_id, self.parties = created.json()["caseId"], created.json()["parties"]
        self.shoot_everything()
        self.determine()
        injured = self.parties[1]
        applied = self.call("POST", f"/cases/{self.case_id}/medical", injured["token"],
                            {"injuredPartyId": injured["partyId"], "hospitalCode": HOSPITAL, "injuryDescription": "右手腕肿痛"})
        assert applied.status_code == 201, applied.text
        approved = self.call("POST", f"/medical/{applied.json()['applicationId']}/approve", self.officer)
        assert approved.status_code == 200, approved.text
        self.qr_token: str = approved.json()["qrToken"]


@pytest.fixture(scope="module")
def injury(stack) -> InjuryCase:
    return InjuryCase(stack)


@pytest.fixture(scope="module")
def camera_browser(browser, injury, tmp_path_factory) -> Iterator[Any]:
    """A second Chromium (from the session's Playwright) whose camera shows the patient's QR code."""
    video = qr_video(injury.qr_token, tmp_path_factory.mktemp("camera") / "qr.y4m")
    launched = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=[
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        yield launched
    finally:
        launched.close()


def _desk(browser: Any, stack: Any, hospital: str) -> Any:
    tablet = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
                                 permissions=["camera"])
    tablet.set_default_timeout(DEADLINE_MS)
    sign_in(tablet, stack, "hospital", hospital)
    return tablet


def test_given_an_approved_code_when_the_camera_sees_it_then_the_patient_is_admitted_and_bills_go_in_fen(injury, camera_browser):
    tablet = _desk(camera_browser, injury.stack, HOSPITAL)
    try:
        page = tablet.new_page()
        page.goto(f"{injury.stack.url}/partner/hospital")
        page.locator("[data-action=camera]").click()
        expect(page.locator("#admission")).to_be_visible(timeout=DEADLINE_MS)
        expect(page.locator("#admission-facts")).to_contain_text("就诊号", timeout=DEADLINE_MS)
        screenshot(page, "partner-hospital-admitted")

        page.locator("#bill-rows [name=name]").fill("急诊诊查费")
        page.locator("#bill-rows [name=yuan]").fill("25")
        page.locator("[data-action=add-row]").click()
        page.locator("#bill-rows [name=name]").nth(1).fill("腕部X线摄影")
        page.locator("#bill-rows [name=yuan]").nth(1).fill("180.5")
        expect(page.locator("#bill-total")).to_have_text("合计 205.50 元", timeout=DEADLINE_MS)
        page.locator("[data-action=post-bills]").click()
        expect(page.locator("#posted .ok")).to_have_attribute("data-billed", "20550", timeout=DEADLINE_MS)
        expect(page.locator("#posted")).to_contain_text("180.50 元", timeout=DEADLINE_MS)
        screenshot(page, "partner-hospital-bills")

        ledger = injury.call("GET", f"/cases/{injury.case_id}/medical", injury.stack.token("hospital", HOSPITAL)).json()
        assert [(b["name"], b["amount"]) for b in ledger["applications"][0]["bills"]] == [("急诊诊查费", 2500), ("腕部X线摄影", 18050)]
    finally:
        tablet.close()


@pytest.mark.parametrize(("hospital", "token_of", "words"), [
    (HOSPITAL, lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), "二维码无效"),
    (OTHER_HOSPITAL, lambda token: token, "指定的是其他医院"),
    (HOSPITAL, lambda token: token, "已经扫过"),
])
def test_given_a_code_it_may_not_use_when_pasted_then_the_refusal_is_said_in_plain_chinese(injury, browser, hospital, token_of, words):
    injury.call("POST", "/hospital/scan", injury.stack.token("hospital", HOSPITAL), {"token": injury.qr_token})  # used once, if not yet
    tablet = _desk(browser, injury.stack, hospital)
    try:
        page = tablet.new_page()
        page.goto(f"{injury.stack.url}/partner/hospital")
        page.locator("#paste textarea").fill(token_of(injury.qr_token))
        page.locator("[data-action=scan]").click()
        expect(page.locator("#refusal")).to_contain_text(words, timeout=DEADLINE_MS)
        expect(page.locator("#admission")).to_be_hidden()
        if words == "二维码无效":
            screenshot(page, "partner-hospital-refused")
    finally:
        tablet.close()


def _paste(page: Any, token: str) -> None:
    page.locator("#paste textarea").fill(token)
    page.locator("[data-action=scan]").click()


def test_given_nothing_pasted_when_verifying_then_it_says_so_in_chinese_and_sends_nothing(injury, browser):
    tablet = _desk(browser, injury.stack, HOSPITAL)
    try:
        page = tablet.new_page()
        scans: list[str] = []
        refused: list[str] = []
        page.on("request", lambda request: scans.append(request.url) if "/hospital/scan" in request.url else None)
        page.on("response", lambda reply: refused.append(f"{reply.status} {reply.url}") if reply.status >= 400 else None)
        page.goto(f"{injury.stack.url}/partner/hospital")
        page.locator("#paste textarea").fill("   ")
        page.locator("[data-action=scan]").click()
        expect(page.locator("#refusal")).to_contain_text("请先扫描患者的二维码", timeout=DEADLINE_MS)
        expect(page.locator("#admission")).to_be_hidden()
        screenshot(page, "partner-hospital-empty")
        assert scans == [] and refused == []
        for path, kind in (("/shared/favicon.svg", "image/svg+xml"), ("/favicon.ico", "image/x-icon")):
            icon = page.request.get(f"{injury.stack.url}{path}")
            assert icon.status == 200 and icon.headers["content-type"] == kind, path
    finally:
        tablet.close()


def test_given_two_patients_admitted_when_the_nurse_goes_back_to_the_first_then_she_sees_whom_and_adds_a_bill(stack, browser):
    first, second = InjuryCase(stack), InjuryCase(stack)
    tablet = _desk(browser, stack, HOSPITAL)
    try:
        page = tablet.new_page()
        page.goto(f"{stack.url}/partner/hospital")
        _paste(page, first.qr_token)
        facts = page.locator("#admission-facts")
        for words in ("李四", first.case_id, "右手腕肿痛", "中国人民财产保险股份有限公司", "直赔截止", "费用覆盖至"):
            expect(facts).to_contain_text(words, timeout=DEADLINE_MS)
        screenshot(page, "partner-hospital-whom")
        first_admission = page.locator("#admission-facts").get_attribute("data-admission")

        page.locator("[data-action=next-patient]").click()
        _paste(page, second.qr_token)
        expect(facts).to_contain_text(second.case_id, timeout=DEADLINE_MS)
        page.reload()  # the open admission is read again from the API, not kept on the tablet
        expect(facts).to_contain_text(second.case_id, timeout=DEADLINE_MS)
        page.locator("[data-action=next-patient]").click()

        listed = page.locator(f"#open-admissions [data-admission='{first_admission}']")
        expect(listed).to_contain_text("李四", timeout=DEADLINE_MS)
        expect(listed).to_contain_text(first.case_id)
        screenshot(page, "partner-hospital-open-admissions")
        listed.click()
        expect(facts).to_contain_text(first.case_id, timeout=DEADLINE_MS)
        page.locator("#bill-rows [name=name]").fill("复查诊查费")
        page.locator("#bill-rows [name=yuan]").fill("12.5")
        page.locator("[data-action=post-bills]").click()
        expect(page.locator("#posted .ok")).to_have_attribute("data-billed", "1250", timeout=DEADLINE_MS)

        ledger = first.call("GET", f"/cases/{first.case_id}/medical", stack.token("hospital", HOSPITAL)).json()
        assert [(b["name"], b["amount"]) for b in ledger["applications"][0]["bills"]] == [("复查诊查费", 1250)]
        assert second.call("GET", f"/cases/{second.case_id}/medical", stack.token("hospital", HOSPITAL)).json()["totals"]["billed"] == 0
    finally:
        tablet.close()
