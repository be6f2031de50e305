"""The portal's pages as the local stack serves them: their paths, the API's paths left alone,
and nothing in them the strict CSP would block."""

from __future__ import annotations

import re

import pytest

from infra.local.pages import WEB_ROOT, resolve

PORTAL = WEB_ROOT / "portal"


@pytest.mark.parametrize(("path", "page"), [
    ("/portal/signin?next=%2Fportal%2F", "signin.html"),
    ("/staff/signed-in?code=abc&state=xyz", "signin.html"),  # Cognito's hosted UI returns here (ADR 0025)
    ("/portal/", "queue.html"),
    ("/portal", "queue.html"),
    ("/portal/cases/YC2611291VRRWCZV", "case.html"),
    ("/portal/supervisor", "supervisor.html"),
])
def test_given_a_portal_page_path_then_its_page(path, page):
    assert resolve(path) == PORTAL / page


def test_given_portal_and_shared_files_then_served_only_when_they_exist():
    assert resolve("/portal/case.js") == PORTAL / "case.js"
    assert resolve("/shared/session.js") == WEB_ROOT / "shared" / "session.js"
    assert resolve("/shared/nothing.js") is None


@pytest.mark.parametrize("path", ["/portal/queue", "/portal/me", "/portal/claims?overdue=true", "/portal/reports/live",
                                  "/portal/cases/a/b", "/portal/../app.py", "/shared/"])
def test_given_an_api_or_crafted_portal_path_then_left_to_the_api(path):
    assert resolve(path) is None


@pytest.mark.parametrize("page", sorted(p.name for p in PORTAL.glob("*.html")))
def test_given_a_portal_page_then_no_inline_script_or_style_and_the_api_base_meta(page):
    html = (PORTAL / page).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and not re.search(r"\sstyle=", html), "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert '<meta name="ycht-api-base" content="">' in html
    assert '<html lang="zh-CN">' in html


def test_given_the_session_module_then_it_never_touches_local_storage():
    for script in [*PORTAL.glob("*.js"), *(WEB_ROOT / "shared").glob("*.js")]:
        assert "localStorage" not in script.read_text(encoding="utf-8"), script.name
