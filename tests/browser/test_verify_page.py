"""What a person sees: the page a letter's QR code opens, and a shot refused because it is no photo."""

from __future__ import annotations

import io

import requests
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import CALL_SECONDS, DEADLINE_MS, screenshot


def test_given_an_issued_letter_when_its_qr_link_is_opened_then_a_chinese_page_says_it_is_genuine(accident, page):
    accident.shoot_everything()
    letter_id = accident.determine()["letterDocumentId"]
    link = accident.call("GET", f"/cases/{accident.case_id}/documents/{letter_id}", accident.parties[0]["token"]).json()["url"]
    letter = PdfReader(io.BytesIO(requests.get(link, timeout=CALL_SECONDS).content))
    printed = "".join("".join(p.extract_text().split()) for p in letter.pages)
    verify_url = f"{accident.stack.url}/verify/{letter_id}"
    assert verify_url in printed  # printed under the QR code, which encodes the same address

    page.goto(verify_url)
    verdict = page.locator("h1.verdict")
    expect(verdict).to_have_text("文书真实：与出具时记录的完全一致", timeout=DEADLINE_MS)
    body = page.locator("main").inner_text()
    for text in ("道路交通事故认定书（简易程序）", accident.case_id, "第1版", "（北京时间）", "SHA-256"):
        assert text in body, text
    # the stylesheet applied under the strict policy: the verdict's green background
    assert page.evaluate("getComputedStyle(document.querySelector('.verdict')).backgroundColor") == "rgb(222, 247, 236)"
    screenshot(page, "verify-genuine")

    page.goto(f"{accident.stack.url}/verify/DOCNOSUCHTHING00")
    expect(page.locator("h1.verdict")).to_have_text("未查到该文书", timeout=DEADLINE_MS)
    screenshot(page, "verify-unknown")


def test_given_a_text_file_named_jpg_when_taken_as_a_shot_then_the_page_says_it_is_no_photo(accident, page):
    page.goto(accident.sms_link(0))
    page.wait_for_selector("li.shot")
    text = {"name": "shot.jpg", "mimeType": "image/jpeg", "buffer": "这不是照片。\n".encode() * 300}
    page.locator("li.shot").first.locator("input[type=file]").set_input_files(text)
    expect(page.locator("li.shot").first.locator(".shot-state")).to_have_text("文件不是照片，请重新拍摄上传", timeout=DEADLINE_MS)
    assert page.locator("li.shot.verified").count() == 0
    screenshot(page, "party-shot-not-a-photo")
