"""The pages of `web/`, one table for both servers: the local stack (`infra/local/pages.py`) and
CloudFront in AWS (`infra/cdk/pages.py`, whose viewer-request function is generated from it).

A page path (the SMS link `/h5/cases/{caseId}`, ...) is answered with the page's HTML file; a file
of a served folder with itself; anything else is the API's. The patterns are written in the
common subset of Python's and JavaScript's regular expressions, since both use them as written.
"""

from __future__ import annotations

# (path pattern, file under web/) - each pages helper appends its own pages here.
PAGE_ROUTES: tuple[tuple[str, str], ...] = (
    (r"^/h5/cases/[A-Za-z0-9_-]{1,64}/?$", "h5/index.html"),
    # The police portal (desktop); `/staff/signed-in` is where Cognito's hosted UI returns (ADR 0025).
    (r"^/portal/signin/?$", "portal/signin.html"),
    (r"^/staff/signed-in/?$", "portal/signin.html"),
    (r"^/portal/?$", "portal/queue.html"),
    (r"^/portal/cases/[A-Za-z0-9_-]{1,64}/?$", "portal/case.html"),
    (r"^/portal/supervisor/?$", "portal/supervisor.html"),
    (r"^/portal/dispatch/?$", "portal/dispatch.html"),
    # Partner pages (mobile): the tow driver and the hospital's direct-pay desk.
    (r"^/partner/tow/?$", "partner/tow.html"),
    (r"^/partner/hospital/?$", "partner/hospital.html"),
)
# Folders of web/ whose files are served at /<folder>/<name>.
# `vendor` holds the npm libraries copied in by `make vendor` (ADR 0030).
FILE_FOLDERS: tuple[str, ...] = ("h5", "shared", "portal", "partner", "vendor")
FILE_NAME = r"[A-Za-z0-9_-]+\.(?:js|css|svg|png)"

# Every page names the API's base in this meta tag: empty locally (the API answers on the page's
# own origin), `/api` in AWS (the distribution routes /api/* to API Gateway's stage `api`).
API_BASE_META = '<meta name="ycht-api-base" content="">'
DEPLOYED_API_BASE = "/api"


def content_security_policy(*aws_origins: str) -> str:
    """No inline script or style, no framing; `aws_origins` are where presigned URLs point (uploads, photos)."""
    others = "".join(f" {origin}" for origin in aws_origins)
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{others}; "
        f"connect-src 'self'{others}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def with_api_base(html: str, api_base: str) -> str:
    """The page with its API base set (the deployment writes `/api` into every page)."""
    return html.replace(API_BASE_META, API_BASE_META.replace('content=""', f'content="{api_base}"'))
