"""H5 sign-in through WeChat OAuth (snsapi_base) and joining a case.

`state` is a one-time server nonce, also set as a cookie on the browser that started the
sign-in: a replayed state (already spent) or a foreign one (not this browser's) is refused.
The code is exchanged through an interface: WeChat's API in AWS, a sandbox locally. The
session proves an openid only: joining a case needs that case's link token.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from datetime import timedelta

from chalicelib.domain import tokens
from chalicelib.domain.principals import Principal, Role
from chalicelib.errors import Forbidden, NotFound, TooManyRequests
from chalicelib.integrations.secrets import token_secret, wechat_app_secret
from chalicelib.services import notices
from chalicelib.services.access import lookup_hash
from chalicelib.settings import get_settings
from chalicelib.store import cases as store
from chalicelib.store import once, rate_limits, wechat_users
from chalicelib.store.models import PartyItem

STATE_TTL = timedelta(minutes=10)
CODE_TTL = timedelta(minutes=5)
SESSION = timedelta(hours=2)
STATE_COOKIE = "yct_oauth_state"


def start() -> tuple[str, str]:
    """(where to send the browser, the state to set as its cookie)."""
    settings = get_settings()
    state = secrets.token_urlsafe(24)
    once.remember_oauth_state(state, STATE_TTL)
    callback = f"{settings.public_base_url}/wechat/oauth/callback"
    if settings.wechat_oauth == "wechat":
        query = urllib.parse.urlencode(
            {"appid": settings.wechat_app_id, "redirect_uri": callback, "response_type": "code", "scope": "snsapi_base", "state": state}
        )
        return f"https://open.weixin.qq.com/connect/oauth2/authorize?{query}#wechat_redirect", state
    query = urllib.parse.urlencode({"redirect_uri": callback, "state": state})
    return f"{settings.public_base_url}/local/wechat/authorize?{query}", state


def local_authorize(openid: str, redirect_uri: str, state: str) -> str:
    """The local stand-in for WeChat's consent page: a code for this openid, back to the callback."""
    settings = get_settings()
    if settings.wechat_oauth != "local":
        raise NotFound("there is no local WeChat sandbox in this stage", field="path")
    if not redirect_uri.startswith(f"{settings.public_base_url}/wechat/oauth/callback"):
        raise Forbidden("redirect_uri is not this service's callback", field="redirect_uri")
    code = f"local-{secrets.token_urlsafe(16)}"
    once.remember_oauth_code(code, openid, CODE_TTL)
    return f"{redirect_uri}?{urllib.parse.urlencode({'code': code, 'state': state})}"


def _openid_for(code: str) -> str:
    settings = get_settings()
    if settings.wechat_oauth == "local":
        openid = once.take_oauth_code(code)
        if not openid:
            raise Forbidden("the code is not valid or was used", field="code")
        return openid
    query = urllib.parse.urlencode(
        {"appid": settings.wechat_app_id, "secret": wechat_app_secret(), "code": code, "grant_type": "authorization_code"}
    )
    with urllib.request.urlopen(f"https://api.weixin.qq.com/sns/oauth2/access_token?{query}", timeout=3) as reply:
        answer = json.loads(reply.read())
    if "openid" not in answer:
        raise Forbidden("WeChat refused the code", field="code")
    return str(answer["openid"])


def callback(code: str, state: str, cookie_state: str | None) -> dict[str, str]:
    if not cookie_state or not secrets.compare_digest(cookie_state, state):
        raise Forbidden("this sign-in was not started by this browser", field="state")
    if not once.spend_oauth_state(state):
        raise Forbidden("the state is unknown, expired or already used", field="state")
    openid = _openid_for(code)
    now = store.utcnow()
    session = tokens.issue(Principal(subject=openid, role=Role.WECHAT_USER), token_secret(), now, SESSION)
    return {"sessionToken": session, "expiresAt": store.iso(now + SESSION)}


def bind(openid: str, case_id: str, party: PartyItem) -> tuple[PartyItem, object]:
    """The change that makes this WeChat user the given party (for notices and 进度)."""
    return wechat_users.bind(party, openid, case_id)


JOIN_CODE_TTL = timedelta(minutes=10)


def _party_by_phone(case_id: str, phone: str) -> PartyItem | None:
    from chalicelib.domain.identity import normalise_phone

    try:
        wanted = normalise_phone(phone)
        record = store.load(case_id)
    except (ValueError, NotFound):
        return None
    return next((p for p in record.parties if p.phone == wanted), None)


def _limit_join_codes(case_id: str, phone: str) -> None:
    """At most so many texts a minute and a day to one phone and for one case (20 in a row were
    sent once). Counted before the phone is looked up, so the limit answers the same for a phone
    that is not on the case. The phone is counted under its keyed hash, never in clear."""
    from chalicelib.domain.identity import normalise_phone

    settings = get_settings()
    try:
        phone = normalise_phone(phone)  # "+86 138…" and "138…" are one phone
    except ValueError:
        pass
    minute, day = timedelta(minutes=1), timedelta(days=1)
    limits = (
        ("JOINCODE-PHONE", lookup_hash(phone), settings.join_code_per_minute, minute),
        ("JOINCODE-CASE", case_id, settings.join_code_case_per_minute, minute),
        ("JOINCODE-PHONE", lookup_hash(phone), settings.join_code_per_day, day),
        ("JOINCODE-CASE", case_id, settings.join_code_case_per_day, day),
    )
    for purpose, subject, limit, window in limits:
        wait = rate_limits.take(purpose, subject, limit, window)
        if wait is not None:
            raise TooManyRequests("too many codes asked for; try again later", field="phone", retry_after=wait)


def send_join_code(principal: Principal, case_id: str, phone: str) -> None:
    """Text a one-time code to the phone on the case. The answer is the same whether or not the
    case and phone match, so nobody can learn who is a party by asking."""
    _limit_join_codes(case_id, phone)
    party = _party_by_phone(case_id, phone)
    if party is None:
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    once.remember_join_code(case_id, party.party_id, principal.subject, _digest(code), JOIN_CODE_TTL)
    at = store.iso(store.utcnow())
    notices.to_party(case_id, party.party_id, "join.code", at, code=code).save()


def _digest(code: str) -> str:
    import hashlib

    return hashlib.sha256(code.encode()).hexdigest()


def _party_principal_by_code(principal: Principal, case_id: str, phone: str, code: str) -> Principal:
    party = _party_by_phone(case_id, phone)
    # One try per code: a wrong guess spends it, so six digits cannot be searched.
    stored = once.take_join_code(case_id, party.party_id, principal.subject) if party else None
    if party is None or not stored or not secrets.compare_digest(stored, _digest(code)):
        raise Forbidden("the code is wrong, expired or already used; ask for a new one", field="code")
    return Principal(subject=party.party_id, role=Role.PARTY, case_id=case_id, token_id=party.token_id)


def _party_principal_by_token(link_token: str) -> Principal:
    try:
        party_principal = tokens.read(link_token, token_secret())
    except tokens.InvalidToken as error:
        raise Forbidden(str(error), field="token") from error
    if party_principal.role is not Role.PARTY or not party_principal.case_id:
        raise Forbidden("this is not a case link token", field="token")
    return party_principal


def join(principal: Principal, link_token: str | None, case_id: str | None = None, phone: str | None = None,
         code: str | None = None) -> dict[str, str]:
    """A signed-in WeChat user proves they are a party: with that party's case link token, or
    with the one-time code texted to the phone on the case. An openid alone proves nothing."""
    if link_token:
        party_principal = _party_principal_by_token(link_token)
    else:
        party_principal = _party_principal_by_code(principal, case_id or "", phone or "", code or "")
    case_id = party_principal.case_id or ""

    def decide(record: store.CaseRecord) -> list[store.Change]:
        party = record.party(party_principal.subject)
        assert party is not None  # authorise() has checked it against the token
        if party.openid == principal.subject:
            return []
        if party.openid:
            raise Forbidden("another WeChat user has already joined as this party", field="token")
        item, condition = bind(principal.subject, case_id, party)
        return [store.Change(action="WECHAT_JOINED", detail={"partyId": party.party_id}, replaces=[(item, condition)])]

    store.mutate(party_principal, case_id, decide)
    return {"caseId": case_id, "partyId": party_principal.subject}
