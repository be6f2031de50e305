"""The sign-in page on a phone: tow drivers and hospital staff sign in there, so it fits a 390 px
screen (the staff pages behind it stay desktop)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot


def test_given_a_phone_when_opening_sign_in_then_it_fits_the_screen_and_an_account_is_a_plain_tap(stack, page):
    page.goto(f"{stack.url}/portal/signin")
    officer = page.locator("#accounts button[data-subject=O0001]")
    expect(officer).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for folded in page.locator("#accounts details summary").all():  # the long partner lists, opened
        folded.click()
    expect(page.locator("#accounts details[open]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-signin-phone")
    officer.click()  # a normal click: Playwright checks the button is in view, visible and not covered
    page.wait_for_url(f"{stack.url}/portal/")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('ycht.staff')).subject") == "O0001"
