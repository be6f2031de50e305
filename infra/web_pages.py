"""The pages of `web/`, one table for both servers: the local stack (`infra/local/pages.py`) and
CloudFront in AWS (`infra/cdk/pages.py`, whose viewer-request function is generated from it).

A page path (the SMS link `/h5/cases/{caseId}`, ...) is answered with the page's HTML file; a file
of a served folder with itself; anything else is the API's. The patterns are written in the
common subset of Python's and JavaScript's regular expressions, since both use them as written.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    # Cognito's logout redirect (the sign-in client's LogoutURLs): back to the sign-in page.
    (r"^/staff/signed-out/?$", "portal/signin.html"),
    # The icon browsers ask for on every page that links none (the pages link /shared/favicon.svg).
    (r"^/favicon\.ico$", "favicon.ico"),
)
# Folders of web/ whose files are served at /<folder>/<name>.
# `vendor` holds the npm libraries copied in by `make vendor` (ADR 0030).
FILE_FOLDERS: tuple[str, ...] = ("h5", "shared", "portal", "partner", "vendor")
FILE_NAME = r"[A-Za-z0-9_-]+\.(?:js|css|svg|png)"

# Every page names the API's base in this meta tag: empty locally (the API answers on the page's
# own origin), `/api` in AWS (the distribution routes /api/* to API Gateway's stage `api`).
API_BASE_META = '<meta name="ycht-api-base" content="">'
DEPLOYED_API_BASE = "/api"


def content_security_policy(*aws_origins: str, sign_in_origins: Sequence[str] = ()) -> str:
    """No inline script or style, no framing; `aws_origins` are where presigned URLs point (uploads,
    photos); `sign_in_origins` only fetched (the hosted sign-in's token endpoint, ADR 0029)."""
    others = "".join(f" {origin}" for origin in aws_origins)
    fetched = others + "".join(f" {origin}" for origin in sign_in_origins)
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{others}; "
        f"connect-src 'self'{fetched}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def with_api_base(html: str, api_base: str) -> str:
    """The page with its API base set (the deployment writes `/api` into every page)."""
    return html.replace(API_BASE_META, API_BASE_META.replace('content=""', f'content="{api_base}"'))


# The staff sign-in page (ADR 0029): Cognito's hosted UI when these name the pool's domain (its
# base URL) and the staff client, empty locally; the deployment writes them where there is a pool.
SIGN_IN_PAGE = "portal/signin.html"
SIGN_IN_DOMAIN_META = '<meta name="ycht-sign-in-domain" content="">'
SIGN_IN_CLIENT_META = '<meta name="ycht-sign-in-client" content="">'
# Where the page says that this deployment has no hosted sign-in (aws-cn: no Cognito user pools).
NO_HOSTED_SIGN_IN_MARK = "<!-- ycht-no-hosted-sign-in -->"
NO_HOSTED_SIGN_IN_NOTE = (
    '<p class="hint" id="no-hosted-sign-in">本部署所在的中国区暂不提供统一身份认证：'
    "请向系统管理员索取身份令牌，粘贴到下方登录。</p>"
)


def with_sign_in(html: str, domain_url: str, client_id: str) -> str:
    """The page naming the hosted sign-in: the pool domain's base URL and the staff client id."""
    return html.replace(SIGN_IN_DOMAIN_META, SIGN_IN_DOMAIN_META.replace('content=""', f'content="{domain_url}"')).replace(
        SIGN_IN_CLIENT_META, SIGN_IN_CLIENT_META.replace('content=""', f'content="{client_id}"')
    )


def without_hosted_sign_in(html: str) -> str:
    """The page telling staff that only the pasted token signs in here (no user pool)."""
    return html.replace(NO_HOSTED_SIGN_IN_MARK, NO_HOSTED_SIGN_IN_NOTE)
