"""The party H5 page from the SMS link, in a real browser on a phone-sized screen."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue
from tests.browser.conftest import DEADLINE_MS, SCREENSHOTS, screenshot
from tests.factories import photo, wait_for

TOKEN_KEY = "yct.h5.token.{case_id}"


def _shot(seed: int) -> dict:
    return {"name": f"shot-{seed}.jpg", "mimeType": "image/jpeg", "buffer": photo(seed, size=40_000 + seed)}


def _slots(page) -> list:
    return page.locator("li.shot").all()


def _take(page, slot_index: int, seed: int) -> None:
    page.locator("li.shot").nth(slot_index).locator("input[type=file]").set_input_files(_shot(seed))


def _wait_ticked(page, count: int) -> None:
    expect(page.locator("li.shot.verified")).to_have_count(count, timeout=DEADLINE_MS)


def test_given_sms_link_when_every_shot_uploaded_from_files_then_case_awaits_determination_and_move_notice_shows(
    accident, page
):
    link = accident.sms_link(0)
    assert "?token=" in link

    page.goto(link)
    page.wait_for_selector("#status:not(:empty)")
    assert page.url == f"{accident.stack.url}/h5/cases/{accident.case_id}"  # the address bar keeps no token
    stored = page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY.format(case_id=accident.case_id)}')")
    assert stored == accident.parties[0]["token"]
    assert page.locator("#status").inner_text() == "待拍照取证"
    assert page.locator("#move-notice").is_hidden()
    # Every required shot, per vehicle, each with its sketch
    checklist = accident.view()["evidence"]["checklist"]
    assert len(_slots(page)) == len(checklist) == 7
    assert page.locator("li.shot svg.sketch").count() == 7
    screenshot(page, "party-checklist")

    for index in range(len(checklist)):
        _take(page, index, seed=index)
        _wait_ticked(page, index + 1)

    page.locator("#move-notice").wait_for(state="visible")
    assert "请立即将车辆撤离现场" in page.locator("#move-notice").inner_text()
    assert accident.view()["status"] == "AWAITING_DETERMINATION"
    expect(page.locator("#status")).to_have_text("等待民警远程认定", timeout=DEADLINE_MS)
    screenshot(page, "party-evidence-complete")


def test_given_other_party_when_page_shows_parties_then_their_data_is_masked_exactly_as_the_api_returns_it(accident, page):
    page.goto(accident.sms_link(0))
    page.wait_for_selector("#parties li")
    other = accident.view(0)["parties"][1]
    shown = page.locator("#parties li").nth(1).inner_text()
    assert other["name"] in shown and other["phone"] in shown
    assert "李四" not in shown and "13812345671" not in shown  # never unmasked by the page


def _expired_token(stack, case_id: str, party_id: str) -> str:
    secret = json.loads((stack.state_dir / "secrets.json").read_text())["tokenSecret"]
    principal = Principal(subject=party_id, role=Role.PARTY, case_id=case_id, token_id="T-expired")
    return issue(principal, secret, datetime.now(UTC) - timedelta(days=9), timedelta(days=7))


def test_given_expired_link_when_opened_then_plain_chinese_explanation_with_what_to_do(accident, page):
    party_id = accident.parties[0]["partyId"]
    page.goto(f"{accident.stack.url}/h5/cases/{accident.case_id}?token={_expired_token(accident.stack, accident.case_id, party_id)}")
    problem = page.locator("#link-problem[data-kind=expired]")
    problem.wait_for(state="visible")
    text = problem.inner_text()
    assert "链接已过期" in text and "110" in text and "重新发送链接" in text
    assert "{" not in text and "error" not in text  # never the API's JSON
    assert page.locator("#app").is_hidden()
    screenshot(page, "party-link-expired")


def test_given_revoked_link_when_opened_then_it_says_the_link_no_longer_works(accident, page):
    old_link = accident.sms_link(0)
    reissued = accident.call("POST", f"/cases/{accident.case_id}/parties/{accident.parties[0]['partyId']}/link",
                                   accident.dispatcher)
    assert reissued.status_code == 200, reissued.text
    page.goto(old_link)
    problem = page.locator("#link-problem[data-kind=invalid]")
    problem.wait_for(state="visible")
    assert "链接已失效" in problem.inner_text() and "110" in problem.inner_text()


def test_given_connection_lost_when_shot_taken_then_it_is_kept_and_uploads_once_back_online(accident, context, page):
    page.goto(accident.sms_link(0))
    page.wait_for_selector("li.shot")
    context.set_offline(True)
    _take(page, 0, seed=100)
    first = page.locator("li.shot").nth(0)
    wait_for(lambda: first.get_attribute("data-stage") == "waiting", what="the shot waiting for the network")
    assert "恢复网络后自动上传" in first.inner_text()
    kept = page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open('yct-h5');
        open.onsuccess = () => { const all = open.result.transaction('shots').objectStore('shots').getAll();
                                 all.onsuccess = () => resolve(all.result.length); };
    })""")
    assert kept == 1
    screenshot(page, "party-offline")

    context.set_offline(False)
    _wait_ticked(page, 1)
    assert accident.view()["evidence"]["checklist"][0]["status"] == "VERIFIED"


def test_given_upload_cut_when_page_reloaded_then_the_kept_shot_completes(accident, page):
    page.goto(accident.sms_link(0))
    page.wait_for_selector("li.shot")
    storage = f"http://127.0.0.1:{accident.stack.aws_port}/**"
    page.route(storage, lambda route: route.abort("internetdisconnected"))
    _take(page, 1, seed=200)
    second = page.locator("li.shot").nth(1)
    wait_for(lambda: second.get_attribute("data-stage") in {"waiting", "failed"}, what="the upload cut")
    page.unroute(storage)

    page.reload()  # the token is in session storage, the shot in IndexedDB
    _wait_ticked(page, 1)
    assert page.locator("li.shot").nth(1).get_attribute("class") == "shot verified"


def test_given_page_open_when_officer_determines_then_result_shows_live_and_party_signs(accident, page):
    accident.shoot_everything()
    page.goto(accident.sms_link(1))  # the other driver, found not at fault
    expect(page.locator("#status")).to_have_text("等待民警远程认定", timeout=DEADLINE_MS)
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads

    accident.determine()
    decision = page.locator("#decision")
    expect(decision.locator(".liabilities")).to_contain_text("全部责任", timeout=DEADLINE_MS)
    expect(decision.locator(".liabilities")).to_contain_text("无责任")
    expect(page.locator("#status")).to_have_text("民警已认定，待签字")
    assert decision.locator("[data-document]").is_visible()  # the letter's PDF
    assert page.evaluate("() => window.__sameDocument === true")  # shown live, without a reload

    decision.locator("[data-action=sign]").click()
    expect(decision.locator(".signed[data-signed=accept]")).to_be_visible(timeout=DEADLINE_MS)
    me = accident.parties[1]["partyId"]
    assert accident.view(1)["signatures"][me]["accept"] is True
    screenshot(page, "party-determination-signed")


def test_given_determination_when_party_refuses_without_reason_then_asked_for_one_and_refusal_recorded(accident, page):
    accident.shoot_everything()
    accident.determine()
    page.goto(accident.sms_link(0))
    decision = page.locator("#decision")
    decision.locator("summary").click()
    decision.locator("[data-action=refuse]").click()
    expect(decision.locator(".error")).to_have_text("拒绝签字时请写明理由。")
    decision.locator("textarea[name=reason]").fill("对方突然变道，我不是追尾。")
    decision.locator("[data-action=refuse]").click()
    expect(decision.locator(".signed[data-signed=refuse]")).to_have_text(
        "您已拒绝签字（理由：对方突然变道，我不是追尾）。", timeout=DEADLINE_MS)  # one full stop, not "。）。"
    me = accident.parties[0]["partyId"]
    assert accident.view(0)["signatures"][me] == {**accident.view(0)["signatures"][me], "accept": False}


def test_given_connection_dropped_during_the_upload_when_back_online_then_the_shot_completes(accident, context, page):
    page.goto(accident.sms_link(0))
    page.wait_for_selector("li.shot")
    storage = f"http://127.0.0.1:{accident.stack.aws_port}/**"

    def drop(route) -> None:  # the phone loses its connection while the photo is on its way
        context.set_offline(True)
        route.abort("internetdisconnected")

    page.route(storage, drop)
    _take(page, 2, seed=300)
    third = page.locator("li.shot").nth(2)
    wait_for(lambda: third.get_attribute("data-stage") == "waiting", what="the upload cut by going offline")
    expect(page.locator("#offline")).to_be_visible()
    page.unroute(storage)

    context.set_offline(False)
    _wait_ticked(page, 1)
    assert page.locator("li.shot").nth(2).get_attribute("class") == "shot verified"
    expect(page.locator("#offline")).to_be_hidden(timeout=DEADLINE_MS)


def test_given_evidence_complete_when_parties_settle_themselves_then_both_sign_on_their_pages(accident, browser, page):
    accident.shoot_everything()
    page.goto(accident.sms_link(0))
    settle = page.locator("details.settle")
    settle.locator("summary").click()
    settle.locator("select[name=scenario] option[value=REAR_END]").wait_for(state="attached")
    settle.locator("select[name=scenario]").select_option("REAR_END")
    settle.locator("select[name=atFault]").select_option(accident.parties[0]["partyId"])
    settle.locator("textarea[name=facts]").fill("甲车追尾乙车，双方同意由甲方负全部责任。")
    settle.locator("button").click()
    expect(page.locator("#status")).to_have_text("自行协商中", timeout=DEADLINE_MS)

    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        theirs = other.new_page()
        theirs.goto(accident.sms_link(1))
        expect(theirs.locator("#decision .liabilities")).to_contain_text("全部责任", timeout=DEADLINE_MS)
        theirs.locator("[data-action=sign]").click()
        expect(theirs.locator("#status")).to_have_text("已自行协商解决", timeout=DEADLINE_MS)
    finally:
        other.close()
    expect(page.locator("#status")).to_have_text("已自行协商解决", timeout=DEADLINE_MS)  # live on the proposer's page too
    assert accident.view()["status"] == "SETTLED"
    screenshot(page, "party-settled")


def test_given_the_letter_when_the_party_opens_it_then_it_opens_in_a_new_tab_and_this_page_stays(accident, context, page):
    accident.shoot_everything()
    accident.determine()
    page.goto(accident.sms_link(1))
    page.evaluate("() => { window.__sameDocument = true; }")
    address = page.url
    # Headless Chromium downloads a PDF instead of showing it (the tab would never finish loading):
    # the short-lived link is answered with a stand-in page, what is checked is where the tab goes.
    context.route("**/*response-content-type=application%2Fpdf*", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>认定书</title>"))
    with page.expect_response(lambda r: "/documents/" in r.url and r.request.method == "GET") as asked:
        with context.expect_page() as opened:
            page.locator("#decision [data-document]").click()
    link = asked.value.json()["url"]
    tab = opened.value
    tab.wait_for_url(link, timeout=DEADLINE_MS)
    assert page.url == address and page.evaluate("() => window.__sameDocument === true")
    assert tab.evaluate("() => window.opener") is None


def test_given_the_checklist_when_shown_then_the_rear_sketch_shows_red_tail_lamps_and_the_front_headlamps(accident, page):
    page.goto(accident.sms_link(0))
    front = page.locator("li.shot[data-kind=FRONT_WITH_PLATE] svg.sketch").first
    rear = page.locator("li.shot[data-kind=REAR_WITH_PLATE] svg.sketch").first
    expect(rear).to_be_visible(timeout=DEADLINE_MS)
    assert front.locator(".sk-light").count() == 2 and front.locator(".sk-tail").count() == 0
    assert rear.locator(".sk-tail").count() == 2 and rear.locator(".sk-light").count() == 0
    assert rear.locator(".sk-tail").first.evaluate("(lamp) => getComputedStyle(lamp).fill") == "rgb(220, 38, 38)"
    page.locator("li.shot[data-kind=REAR_WITH_PLATE]").first.screenshot(path=str(SCREENSHOTS / "party-sketch-rear.png"))


def test_given_self_settlement_when_opened_then_no_party_is_preselected_and_submitting_without_one_asks_in_chinese(accident, page):
    accident.shoot_everything()
    page.goto(accident.sms_link(0))
    settle = page.locator("details.settle")
    settle.locator("summary").click()
    at_fault = settle.locator("select[name=atFault]")
    assert at_fault.input_value() == ""
    settle.locator("select[name=scenario] option[value=REAR_END]").wait_for(state="attached")
    settle.locator("select[name=scenario]").select_option("REAR_END")
    settle.locator("button").click()
    expect(settle.locator(".error")).to_have_text("请选择过错方。")
    assert accident.view()["status"] == "AWAITING_DETERMINATION"  # nothing proposed
    screenshot(page, "party-selfsettle-no-fault-chosen")


CONTRAST = """(element) => {
  const channels = (color) => color.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = element;
  while (behind && channels(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
  const [text, ground] = [getComputedStyle(element).color, getComputedStyle(behind || document.body).backgroundColor]
    .map((color) => luminance(channels(color)));
  return (Math.max(text, ground) + 0.05) / (Math.min(text, ground) + 0.05);
}"""


def test_given_the_signed_page_when_read_then_green_and_grey_texts_reach_4_5_to_1_contrast(accident, page):
    accident.shoot_everything()
    accident.determine()
    page.goto(accident.sms_link(1))
    page.locator("#decision [data-action=sign]").click()
    expect(page.locator(".signed[data-signed=accept]")).to_be_visible(timeout=DEADLINE_MS)
    page.locator("#shot-list > summary").click()
    for selector in (".signed[data-signed=accept]", "li.shot.verified .shot-state", "p.safety", ".hint"):
        ratio = page.locator(selector).first.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{selector}: {ratio:.2f}:1"
