"""The WeChat official account's server URL, H5 sign-in by OAuth, and joining a case."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib.api.routing import json_response, operation
from chalicelib.domain.principals import Principal, Role

if TYPE_CHECKING:
    from chalicelib.contracts.portal import JoinCase, JoinCodeRequest

blueprint = Blueprint(__name__)


def _query(request: Any) -> dict[str, str]:
    return dict(request.query_params or {})


@operation(blueprint, "/wechat", "GET", summary="WeChat server URL verification (echostr back when the signature holds)",
           roles=None, raw_request=True)
def get_wechat(request: Any) -> Response:
    from chalicelib.services import wechat_account

    echostr = wechat_account.verify_server(_query(request))
    return Response(body=echostr, status_code=200, headers={"Content-Type": "text/plain; charset=utf-8"})


@operation(blueprint, "/wechat", "POST", summary="WeChat message and event pushes (plain or safe mode); answered once",
           roles=None, raw_request=True)
def post_wechat(request: Any) -> Response:
    from chalicelib.services import wechat_account
    from chalicelib.store.cases import utcnow

    reply = wechat_account.push(request.raw_body or b"", _query(request), utcnow())
    return Response(body=reply.decode("utf-8"), status_code=200, headers={"Content-Type": "application/xml; charset=utf-8"})


@operation(blueprint, "/wechat/oauth/start", "GET", summary="Start the H5 sign-in: redirect to WeChat (snsapi_base)",
           roles=None)
def get_oauth_start() -> Response:
    from chalicelib.services import wechat_oauth
    from chalicelib.settings import get_settings

    location, state = wechat_oauth.start()
    secure = "; Secure" if get_settings().public_base_url.startswith("https://") else ""
    cookie = f"{wechat_oauth.STATE_COOKIE}={state}; Path=/wechat/oauth; HttpOnly; SameSite=Lax; Max-Age=600{secure}"
    return Response(body="", status_code=302, headers={"Location": location, "Set-Cookie": cookie})


@operation(blueprint, "/wechat/oauth/callback", "GET", summary="WeChat sends the browser back here with a code: a session for that openid",
           roles=None, raw_request=True)
def get_oauth_callback(request: Any) -> Response:
    from chalicelib.errors import ValidationFailed
    from chalicelib.services import wechat_oauth

    query = _query(request)
    if not query.get("code") or not query.get("state"):
        raise ValidationFailed("code and state are required", field="code" if not query.get("code") else "state")
    cookies = SimpleCookie(request.headers.get("cookie") or "")
    cookie = cookies.get(wechat_oauth.STATE_COOKIE)
    session = wechat_oauth.callback(query["code"], query["state"], cookie.value if cookie else None)
    return json_response(session)


@operation(blueprint, "/local/wechat/authorize", "GET",
           summary="Local stack: stands in for WeChat's OAuth page (?openid= to choose the user)", roles=None, raw_request=True)
def get_local_authorize(request: Any) -> Response:
    from chalicelib.services import wechat_oauth

    query = _query(request)
    location = wechat_oauth.local_authorize(query.get("openid", "o-local-demo-user"), query.get("redirect_uri", ""), query.get("state", ""))
    return Response(body="", status_code=302, headers={"Location": location})


@operation(blueprint, "/wechat/join", "POST", summary="A signed-in WeChat user joins a case with that party's case link token",
           roles=frozenset({Role.WECHAT_USER}), body="chalicelib.contracts.portal:JoinCase")
def post_join(principal: Principal, body: JoinCase) -> Response:
    from chalicelib.services import wechat_oauth

    return json_response(wechat_oauth.join(principal, body.token, body.case_id, body.phone, body.code))


@operation(blueprint, "/wechat/join/code", "POST",
           summary="Text a one-time code to the phone on a case (the same answer whether or not it matches)",
           roles=frozenset({Role.WECHAT_USER}), body="chalicelib.contracts.portal:JoinCodeRequest", status=202)
def post_join_code(principal: Principal, body: JoinCodeRequest) -> Response:
    from chalicelib.services import wechat_oauth

    wechat_oauth.send_join_code(principal, body.case_id, body.phone)
    return json_response({"sent": True, "note": "如该手机号是本案当事人的，将收到验证码短信"}, 202)
