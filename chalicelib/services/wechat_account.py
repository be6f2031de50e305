"""The traffic police official account: WeChat's server calls, answered within a second.

A push is answered once: WeChat retries after 5 s up to three times, so each message is
claimed by `MsgId` (events by sender + CreateTime) with a conditional write before anything
else; a retry gets the empty 'success' reply and changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from chalicelib.domain.wechat_dialogue import CaseStatusLine, Reply, reply_for
from chalicelib.errors import Forbidden
from chalicelib.integrations import wechat
from chalicelib.settings import get_settings
from chalicelib.store import once, wechat_users

SUCCESS = b"success"
DEDUPE_TTL = timedelta(hours=1)
MAX_CASES = 10


def verify_server(query: dict[str, str]) -> str:
    settings = get_settings()
    wechat.check_url_signature(settings.wechat_token, query.get("timestamp", ""), query.get("nonce", ""), query.get("signature", ""))
    return query.get("echostr", "")


def aes_keys() -> list[str]:
    settings = get_settings()
    return [k for k in (settings.wechat_encoding_aes_key, settings.wechat_previous_encoding_aes_key) if k]


def cases_of(openid: str) -> list[CaseStatusLine]:
    """The user's own cases, newest first: those where this openid joined as a party; reads only
    the status lines it shows, in the same calls whether the user has one case or ten."""
    return wechat_users.case_lines(openid, MAX_CASES)


def _case_of(openid: str, case_id: str) -> CaseStatusLine | None:
    return next((line for line in cases_of(openid) if line.case_id == case_id), None)


def _ensure_not_replayed(opened: wechat.Push, body: bytes) -> None:
    """A plain-mode signature covers the timestamp and nonce, not the body: each pair is
    remembered for the timestamp window with the body it came with (safe mode signs the body)."""
    if opened.encrypted:
        return
    digest = hashlib.sha256(body).hexdigest()
    if not once.claim_wechat_nonce(opened.timestamp, opened.nonce, digest, 2 * wechat.DEFAULT_TOLERANCE):
        raise Forbidden("this timestamp and nonce were already used with another message", field="nonce")


def push(body: bytes, query: dict[str, str], now: datetime) -> bytes:
    """The reply body for one push (plain or encrypted like the push), or 'success'."""
    settings = get_settings()
    opened = wechat.open_push(body, query, token=settings.wechat_token, aes_keys=aes_keys(), app_id=settings.wechat_app_id, now=now)
    _ensure_not_replayed(opened, body)
    message = opened.message
    if not once.claim_wechat_push(message.push_id, DEDUPE_TTL):
        return SUCCESS
    reply: Reply | None = reply_for(
        message,
        f"{settings.public_base_url}/wechat/oauth/start",
        lambda: cases_of(message.from_user),
        lambda case_id: _case_of(message.from_user, case_id),
    )
    if reply is None:
        return SUCCESS
    if reply.kind == "news":
        xml = wechat.news_reply(message.from_user, message.to_user, reply.title or "", reply.description or "", reply.url or "", now)
    else:
        xml = wechat.text_reply(message.from_user, message.to_user, reply.content or "", now)
    if opened.aes_key is not None:  # safe mode
        # Sealed with the key that opened the push: during a rotation that may be the previous one.
        return wechat.encrypt_reply(xml, settings.wechat_token, opened.aes_key, settings.wechat_app_id, opened.timestamp, opened.nonce)
    return xml


