"""The dispatcher's board and the partner pages are served from `web/` like the party page, and
the npm library they use is vendored from the locked version (ADR 0030)."""

from __future__ import annotations

import json

import pytest

from infra.local.pages import WEB_ROOT, resolve
from infra.web_vendor import vendored_files


@pytest.mark.parametrize(("path", "page"), [
    ("/portal/dispatch", "portal/dispatch.html"),
    ("/partner/tow", "partner/tow.html"),
    ("/partner/hospital/", "partner/hospital.html"),
])
def test_given_a_page_path_then_its_page_is_served(path, page):
    assert resolve(path) == WEB_ROOT / page


@pytest.mark.parametrize("path", ["/partner/tow.js", "/portal/dispatch.js", "/shared/config.js", "/vendor/jsqr.js"])
def test_given_a_file_of_the_pages_then_it_is_served(path):
    assert resolve(path) == WEB_ROOT / path.lstrip("/")


@pytest.mark.parametrize("path", ["/partner/../app.py", "/vendor/jsqr.LICENSE.txt", "/partner/missing.js", "/partner/tow/x"])
def test_given_a_crafted_or_missing_path_then_it_is_left_to_the_api(path):
    assert resolve(path) is None


def test_given_the_lock_then_every_vendored_file_is_there_from_the_locked_version():
    manifest = json.loads((WEB_ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((WEB_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for package, wanted in manifest["dependencies"].items():
        locked = lock["packages"][f"node_modules/{package}"]
        assert locked["version"] == wanted and locked["integrity"].startswith("sha512-")
    for source, target in vendored_files(manifest):
        assert source.startswith("node_modules/") and (WEB_ROOT / "vendor" / target).is_file()


@pytest.mark.parametrize(("path", "file"), [("/favicon.ico", "favicon.ico"), ("/shared/favicon.svg", "shared/favicon.svg")])
def test_given_the_icon_paths_then_the_icon_files_are_served_not_left_to_the_api(path, file):
    assert resolve(path) == WEB_ROOT / file and (WEB_ROOT / file).is_file()


@pytest.mark.parametrize("page", ["partner/tow.html", "partner/hospital.html"])
def test_given_a_partner_page_then_it_links_the_icon_file(page):
    assert '<link rel="icon" href="/shared/favicon.svg" type="image/svg+xml">' in (WEB_ROOT / page).read_text(encoding="utf-8")
