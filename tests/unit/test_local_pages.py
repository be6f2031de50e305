"""Which paths the local stack answers from `web/` (the pages) and which it leaves to the API."""

from __future__ import annotations

import pytest

from infra.local.pages import WEB_ROOT, resolve, security_headers


def test_given_sms_link_path_then_the_party_page_is_served_whatever_its_query():
    assert resolve("/h5/cases/YC2611291VRRWCZV?token=abc.def.ghi") == WEB_ROOT / "h5" / "index.html"


def test_given_page_file_then_served_only_when_it_exists():
    assert resolve("/h5/app.js") == WEB_ROOT / "h5" / "app.js"
    assert resolve("/h5/missing.js") is None


@pytest.mark.parametrize("path", ["/cases/YC1", "/health", "/h5/../pyproject.toml", "/h5/%2e%2e/app.py", "/h5/", "/h5/cases/a/b"])
def test_given_api_or_crafted_path_then_left_to_the_api(path):
    assert resolve(path) is None


def test_page_headers_forbid_inline_script_framing_and_referrers():
    headers = security_headers("http://127.0.0.1:4566")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert "connect-src 'self' http://127.0.0.1:4566" in policy
    assert headers["Referrer-Policy"] == "no-referrer"
