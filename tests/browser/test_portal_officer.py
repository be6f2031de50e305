"""The officer's portal in Debian's Chromium against the real local stack: sign in through the
stand-in, the queue, the case page, the determination and its letter, while the party's page
(a phone, from the SMS link) shows the result live and the party signs."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.browser.conftest import DEADLINE_MS, screenshot
from tests.browser.portal import assert_token_never_exposed, desktop, scene_photo, sign_in


def test_given_no_session_when_opening_portal_pages_then_sign_in_with_the_way_back(stack, browser):
    with desktop(browser) as page:
        for path in ("/portal/", "/portal/cases/C-NOPE", "/portal/supervisor"):
            page.goto(f"{stack.url}{path}")
            page.wait_for_url(f"{stack.url}/portal/signin?next=*")
            assert page.url.endswith("next=" + requests.utils.quote(path, safe=""))
        expect(page.locator("#local")).to_be_visible()
        expect(page.locator("#accounts button[data-subject=O0001]")).to_contain_text("民警 王")
        screenshot(page, "portal-signin")


def test_given_a_party_token_when_pasted_then_refused_in_plain_chinese(stack, browser, accident):
    with desktop(browser) as page:
        page.goto(f"{stack.url}/portal/signin")
        page.get_by_label("身份令牌（ID Token）").fill(accident.parties[0]["token"])
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator("#error")).to_contain_text("不属于工作人员账号")
        assert page.evaluate("sessionStorage.length") == 0


def test_given_a_staff_token_when_pasted_then_signed_in_as_its_owner(stack, browser):
    with desktop(browser) as page:
        page.goto(f"{stack.url}/portal/signin")
        page.get_by_label("身份令牌（ID Token）").fill(stack.token("supervisor"))
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(f"{stack.url}/portal/supervisor")
        expect(page.locator("#who")).to_contain_text("值班领导 张")


def test_given_officer_signed_in_when_deciding_a_queued_case_then_letter_opens_and_party_signs_live(stack, browser, accident, context):
    accident.shoot_everything(scene_photo)
    party_page = context.new_page()  # the other driver's phone, from the SMS link, open throughout
    party_page.goto(accident.sms_link(1))
    expect(party_page.locator("#status")).to_have_text("等待民警远程认定", timeout=DEADLINE_MS)

    with desktop(browser) as page:
        session = sign_in(page, stack, "/portal/", "O0001")
        assert (session["role"], session["subject"], session["name"]) == ("officer", "O0001", "民警 王")
        row = page.locator(f"#queue tr[data-case={accident.case_id}]")
        expect(row).to_be_visible()
        expect(page.locator("#queue-meta")).to_contain_text("自动刷新")
        assert int(row.locator("[data-waited]").inner_text()) >= 0
        screenshot(page, "portal-queue")

        row.get_by_role("link").click()
        page.wait_for_url(f"{stack.url}/portal/cases/{accident.case_id}")
        parties = accident.call("GET", f"/cases/{accident.case_id}", accident.officer).json()["parties"]
        for party in parties:  # police see parties in full
            shown = page.locator(f"#parties tr[data-party={party['partyId']}]")
            expect(shown).to_contain_text(party["name"])
            expect(shown).to_contain_text(party["idNumber"])
        expect(page.locator("#evidence .shots img")).to_have_count(7)
        expect(page.locator("#evidence [data-gps]").first).to_contain_text("33.")
        expect(page.locator("#audit [data-valid=true]")).to_contain_text("完整有效")
        page.locator("#evidence button.thumb").first.click()
        expect(page.locator("#viewer img")).to_be_visible()
        assert page.locator("#viewer img").evaluate("image => image.naturalWidth") == 640
        screenshot(page, "portal-shot-large")
        page.locator("#viewer button").click()

        page.get_by_label("事故情形").select_option("REAR_END")
        page.get_by_label("过错方").select_option(accident.parties[0]["partyId"])
        expect(page.locator("#determine .suggested")).to_contain_text("全部责任")
        page.get_by_label("事故事实").fill("甲方车辆追撞乙方车辆尾部，乙方正常行驶。")
        screenshot(page, "portal-case")
        page.get_by_role("button", name="作出认定并出具认定书").click()

        result = page.locator("#result")
        expect(result.locator(".liabilities")).to_contain_text("全部责任")
        expect(result.locator(".liabilities")).to_contain_text("无责任")
        storage = f"http://127.0.0.1:{stack.aws_port}/"
        with page.context.expect_page() as opened:
            result.locator("[data-document]").click()
        letter = opened.value
        letter.wait_for_url(f"{storage}**")  # the letter's presigned PDF, in Chromium's viewer
        assert requests.get(letter.url, timeout=60).content.startswith(b"%PDF")
        screenshot(letter, "portal-letter")
        letter.close()

        # the party's page shows the result without a reload, and the party signs
        decision = party_page.locator("#decision")
        expect(decision.locator(".liabilities")).to_contain_text("无责任", timeout=DEADLINE_MS)
        decision.locator("[data-action=sign]").click()
        other = accident.parties[1]["partyId"]
        expect(result.locator(f"tr[data-party={other}] [data-signature]")).to_contain_text("已签字确认", timeout=DEADLINE_MS)
        expect(page.locator("#timeline")).to_contain_text("当事人已签字确认")
        screenshot(page, "portal-case-determined")
        screenshot(party_page, "portal-party-signed")

        assert_token_never_exposed(page, session["token"])
        page.locator("[data-action=sign-out]").click()
        page.wait_for_url(f"{stack.url}/portal/signin")
        assert page.evaluate("sessionStorage.getItem('ycht.staff')") is None
        page.goto(f"{stack.url}/portal/")
        page.wait_for_url(f"{stack.url}/portal/signin?next=*")
