"""What the deployment writes into the pages (`infra.web_pages`, ADR 0029/0031): the API base, the
hosted sign-in's domain and client where the stack has a user pool, a plain note where it has none
(aws-cn), and the pool's domain in the pages' `connect-src` for the code exchange."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from infra.web_pages import (
    NO_HOSTED_SIGN_IN_NOTE,
    SIGN_IN_PAGE,
    content_security_policy,
    with_api_base,
    with_sign_in,
    without_hosted_sign_in,
)

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
DOMAIN = "https://yunchetong-prod-sign-in.auth.ap-east-1.amazoncognito.com"
CLIENT = "4h0ekdq1n2a3b4c5d6e7f8g9h0"


class _Parsed(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and found.get("name"):
            self.meta[found["name"] or ""] = found.get("content") or ""

    def handle_data(self, data: str) -> None:
        self.texts.append(data.strip())


def _sign_in_page() -> str:
    return (WEB_ROOT / SIGN_IN_PAGE).read_text(encoding="utf-8")


def test_given_the_pool_when_written_then_the_page_names_its_domain_and_client_and_keeps_the_api_base():
    page = _Parsed(with_sign_in(with_api_base(_sign_in_page(), "/api"), DOMAIN, CLIENT))
    assert page.meta["ycht-sign-in-domain"] == DOMAIN
    assert page.meta["ycht-sign-in-client"] == CLIENT
    assert page.meta["ycht-api-base"] == "/api"
    assert NO_HOSTED_SIGN_IN_NOTE not in with_sign_in(_sign_in_page(), DOMAIN, CLIENT)


def test_given_the_local_page_then_the_sign_in_tags_are_empty_and_no_note_shows():
    page = _Parsed(_sign_in_page())
    assert page.meta["ycht-sign-in-domain"] == "" and page.meta["ycht-sign-in-client"] == ""
    assert not any("中国区" in text for text in page.texts)


def test_given_no_pool_when_written_then_the_page_says_so_in_chinese_and_keeps_the_paste_sign_in():
    written = without_hosted_sign_in(with_api_base(_sign_in_page(), "/api"))
    page = _Parsed(written)
    assert page.meta["ycht-sign-in-domain"] == "" and page.meta["ycht-sign-in-client"] == ""
    note = next(text for text in page.texts if "统一身份认证" in text and "中国区" in text)
    assert "身份令牌" in note  # what to do instead: the paste form below
    assert 'id="paste-form"' in written
    assert written.count(NO_HOSTED_SIGN_IN_NOTE) == 1


def test_given_a_page_without_the_tags_then_it_is_left_alone():
    html = '<!doctype html><meta name="ycht-api-base" content=""><title>x</title>'
    assert with_sign_in(html, DOMAIN, CLIENT) == html
    assert without_hosted_sign_in(html) == html


def test_the_sign_in_domain_is_allowed_to_connect_and_nothing_else_changes():
    plain = content_security_policy("https://s3.ap-east-1.amazonaws.com")
    with_pool = content_security_policy("https://s3.ap-east-1.amazonaws.com", sign_in_origins=[DOMAIN])
    assert f"connect-src 'self' https://s3.ap-east-1.amazonaws.com {DOMAIN};" in with_pool
    assert with_pool.replace(f" {DOMAIN}", "", 1) == plain
    assert "img-src 'self' data: blob: https://s3.ap-east-1.amazonaws.com;" in with_pool  # only fetch, no images
