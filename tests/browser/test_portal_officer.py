"""The officer's portal in Debian's Chromium against the real local stack: sign in through the
stand-in, the queue, the case page, the determination and its letter, while the party's page
(a phone, from the SMS link) shows the result live and the party signs."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import DEADLINE_MS, screenshot
from tests.browser.portal import assert_token_never_exposed, contrast, desktop, scene_photo, sign_in
from tests.factories import evidence_request, wait_for

CODE = re.compile(r"[A-Z][A-Z0-9_]{2,}")  # an API code (FRONT_WITH_PLATE, PICC) where words belong


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


def _early_take(accident, slot_index: int, seed: int) -> str:
    """The first party takes one checklist shot that it takes again later (a blurred plate, say): the
    earlier take stays on the case. Its evidence id."""
    slot = accident.view()["evidence"]["checklist"][slot_index]
    content = scene_photo(seed)
    token = accident.parties[0]["token"]
    asked = evidence_request(content, slot["kind"], slot["partyId"])
    requested = accident.call("POST", f"/cases/{accident.case_id}/evidence", token, asked)
    assert requested.status_code == 201, requested.text
    upload = requested.json()["upload"]
    assert requests.put(upload["url"], data=content, headers=upload["headers"], timeout=60).status_code == 200
    assert accident.call("POST", f"/cases/{accident.case_id}/evidence/{requested.json()['evidenceId']}/complete", token).status_code == 200
    return str(requested.json()["evidenceId"])


def _settled_by_the_parties(accident) -> None:
    """The parties settle it themselves: the first proposes (it is at fault), the second signs."""
    first, second = (p["partyId"] for p in accident.parties)
    terms = {"scenario": "REAR_END", "atFaultPartyId": first, "liabilities": {first: "FULL", second: "NONE"},
             "facts": "甲方车辆追撞乙方车辆尾部，双方同意自行协商。"}
    proposed = accident.call("POST", f"/cases/{accident.case_id}/agreement", accident.parties[0]["token"], terms)
    assert proposed.status_code == 201, proposed.text
    signed = accident.call("POST", f"/cases/{accident.case_id}/parties/{second}/sign", accident.parties[1]["token"], {"accept": True})
    assert signed.status_code == 200, signed.text
    wait_for(lambda: any(d["kind"] == "AGREEMENT" for d in accident.view()["documents"]), timeout=60, what="the agreement's PDF")


def test_given_a_retaken_shot_and_a_self_settlement_when_the_officer_opens_the_case_then_all_is_in_words(stack, browser, accident):
    old = _early_take(accident, 0, seed=40)
    accident.shoot_everything(scene_photo)
    _settled_by_the_parties(accident)
    insurers = {i["code"] for i in accident.call("GET", "/insurers", accident.officer).json()["items"]}

    with desktop(browser) as page:
        sign_in(page, stack, f"/portal/cases/{accident.case_id}", "O0001")
        labels = page.locator("#evidence figcaption strong")
        expect(labels).to_have_count(8)  # seven shots and the earlier take
        expect(page.locator(f"#evidence [data-evidence={old}] strong")).to_have_text("甲方车辆前部（含号牌）（旧版本）")
        assert not any(CODE.search(text) for text in labels.all_inner_texts()), labels.all_inner_texts()
        parties = page.locator("#parties tbody")
        expect(parties).to_contain_text("保险股份有限公司")
        assert not set(CODE.findall(parties.inner_text())) & insurers, parties.inner_text()

        valid = page.locator("#audit [data-valid=true]")
        expect(valid).to_contain_text("完整有效")
        ink, card = valid.evaluate("line => [getComputedStyle(line).color, getComputedStyle(line.closest('.card')).backgroundColor]")
        assert contrast(ink, card) >= 4.5, (ink, card)

        # the earlier take, large: its name, when and where it was taken
        page.locator(f"#evidence [data-evidence={old}] button.thumb:not([disabled])").click()
        viewer = page.locator("#viewer")
        expect(viewer.locator("#viewer-title")).to_have_text("甲方车辆前部（含号牌）（旧版本）")
        expect(viewer.locator("#viewer-captured")).to_contain_text("（北京时间）")
        expect(viewer.locator("#viewer-captured")).to_contain_text(re.compile(r"拍摄时间：\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}"))
        expect(viewer.locator("#viewer-gps")).to_contain_text(re.compile(r"拍摄位置：33\.\d{5}, 120\.\d{5}"))
        screenshot(page, "portal-viewer-old-take")
        viewer.get_by_role("button", name="关闭").click()

        # the self-settlement: the terms, who signed, and its PDF
        settled = page.locator("#agreement")
        expect(settled).to_be_visible()
        expect(settled).to_contain_text("过错方：甲方")
        expect(settled).to_contain_text("双方同意自行协商")
        expect(settled).to_contain_text("由甲方于")
        for party in accident.parties:
            expect(settled.locator(f"tr[data-party={party['partyId']}] [data-signature]")).to_contain_text("已签字确认")
        expect(settled.locator(".liabilities")).to_contain_text("全部责任")
        screenshot(page, "portal-case-agreement")
        with page.context.expect_page() as opened:
            settled.locator("[data-document]").click()
        pdf = opened.value
        pdf.wait_for_url(f"http://127.0.0.1:{stack.aws_port}/**")
        assert requests.get(pdf.url, timeout=60).content.startswith(b"%PDF")
        pdf.close()

        page.goto(f"{stack.url}/portal/")  # the queue names the unit, not only its code
        expect(page.locator("#queue-meta")).to_contain_text("辖区 盐城市公安局交通警察支队（320900）")
