"""The pages (`web/`) served by the local stack from the API's own origin, as CloudFront will in
AWS: `/h5/cases/{caseId}` (the link texted to a party) is the party page, `/h5/<file>` its files.
Same origin, so the page calls the API without CORS; the headers are the ones AWS will send."""

from __future__ import annotations

import mimetypes
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

from infra.web_pages import FILE_FOLDERS, FILE_NAME, PAGE_ROUTES, content_security_policy

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
# The page table is shared with CloudFront's function (infra/web_pages.py): add pages there.
_PAGE_ROUTES = tuple((re.compile(pattern), page) for pattern, page in PAGE_ROUTES)
_FILE = re.compile(rf"^/({'|'.join(FILE_FOLDERS)})/({FILE_NAME})$")
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".svg": "image/svg+xml", ".ico": "image/x-icon"}


def resolve(path: str) -> Path | None:
    """The file a page path names, or None when the path is the API's. Only names matched by a
    pattern are served: no directory listing, no `..`."""
    bare = path.split("?", 1)[0]
    for pattern, page in _PAGE_ROUTES:
        if pattern.match(bare):
            return WEB_ROOT / page
    found = _FILE.match(bare)
    if found:
        candidate = WEB_ROOT / found.group(1) / found.group(2)
        return candidate if candidate.is_file() else None
    return None


def security_headers(aws_origin: str) -> dict[str, str]:
    """What CloudFront's response headers policy sends in AWS; locally the presigned uploads go to
    the local AWS on its own port, so connect-src names it."""
    return {
        "Content-Security-Policy": content_security_policy(aws_origin),
        "X-Content-Type-Options": "nosniff",
        # The SMS link carries the token in its query string until the page moves it to session
        # storage: no Referer may carry it anywhere.
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def with_pages(base: type, aws_origin: str) -> type:
    """The API's request handler, answering GET/HEAD for page paths from `web/` first."""

    def serve(handler: Any, send_body: bool) -> bool:
        file = resolve(handler.path)
        if file is None:
            return False
        body = file.read_bytes()
        handler.send_response(HTTPStatus.OK)
        handler.send_header("Content-Type", _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in security_headers(aws_origin).items():
            handler.send_header(name, value)
        handler.end_headers()
        if send_body:
            handler.wfile.write(body)
        return True

    def do_get(handler: Any) -> None:
        if not serve(handler, send_body=True):
            base.do_GET(handler)

    def do_head(handler: Any) -> None:
        if not serve(handler, send_body=False):
            base.do_HEAD(handler)

    return type("PagesAndApiHandler", (base,), {"do_GET": do_get, "do_HEAD": do_head})
