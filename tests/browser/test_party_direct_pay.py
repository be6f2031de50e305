"""The injured party's direct-pay QR code on her page (her SMS sends her there to show it at the
hospital); the other party's page shows none.

Its own local stack (module scope): the direct-pay workflow's runs stay out of the other browser tests."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEADLINE_MS, screenshot
from tests.browser.test_partner_hospital import InjuryCase

DECODE_SHOWN_QR = """async () => {
  const img = document.querySelector("#direct-pay img.direct-pay-qr");
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 280;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0, 280, 280);
  const found = window.jsQR(context.getImageData(0, 0, 280, 280).data, 280, 280);
  return { text: found ? found.data : null, width: img.getBoundingClientRect().width };
}"""


def test_given_approved_direct_pay_when_the_injured_party_opens_her_page_then_her_qr_code_hospital_and_notice_show(stack, browser, page):
    injury = InjuryCase(stack)
    try:
        page.goto(injury.sms_link(1))  # Sun, the injured party
        card = page.locator("#direct-pay")
        expect(card.locator("img.direct-pay-qr")).to_be_visible(timeout=DEADLINE_MS)
        expect(card.locator("[data-field=hospital]")).to_have_text("盐城市第一人民医院")
        expect(card.locator("[data-field=valid-until]")).to_contain_text("（北京时间）")
        expect(card.locator("[data-document]")).to_have_text("下载《急诊直赔通知书》（PDF）")
        page.add_script_tag(url="/vendor/jsqr.js")  # the hospital page's decoder, same origin
        shown = page.evaluate(DECODE_SHOWN_QR)
        assert shown["text"] == injury.qr_token and shown["width"] >= 240  # a scanner reads it off the screen
        assert injury.qr_token not in page.url
        screenshot(page, "party-direct-pay-qr")

        other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        try:
            theirs = other.new_page()
            theirs.goto(injury.sms_link(0))  # Liu, the other driver
            expect(theirs.locator("#status")).to_have_text("民警已认定，待签字", timeout=DEADLINE_MS)
            expect(theirs.locator("#timeline li").first).to_be_visible(timeout=DEADLINE_MS)  # a whole refresh went by
            expect(theirs.locator("#direct-pay")).to_be_hidden()
            assert theirs.locator("#direct-pay img").count() == 0
        finally:
            other.close()
    finally:
        injury.cancel_rescues()
