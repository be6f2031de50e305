"""Notices to a party who joined through the official account: a WeChat message instead of SMS.

In AWS this is WeChat's customer-service message API (allowed within 48 hours of the user's
last interaction, which a party reporting or joining has just had) with the account's shared
access token (`wechat_token`); if WeChat refuses, the
caller falls back to SMS. Locally, messages land in the local message box, read by
`GET /local/wechat/messages`.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import Protocol

from chalicelib.integrations import message_box, wechat_token
from chalicelib.settings import get_settings


class WeChatMessenger(Protocol):
    def send(self, openid: str, text: str, case_id: str | None) -> str: ...


class WeChatApi:
    def send(self, openid: str, text: str, case_id: str | None) -> str:
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
        url = f"{wechat_token.WECHAT_API}/cgi-bin/message/custom/send?access_token={wechat_token.access_token()}"
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")  # noqa: S310 - WeChat's https base
        with urllib.request.urlopen(request, timeout=3) as reply:  # noqa: S310
            answer = json.loads(reply.read())
        if answer.get("errcode", 0) != 0:
            raise RuntimeError(f"WeChat refused the message: {answer.get('errcode')}")
        return f"wx-{secrets.token_hex(6)}"


def sender() -> WeChatMessenger:
    return WeChatApi() if get_settings().wechat_oauth == "wechat" else message_box.box("wechat")


def local_box(limit: int) -> list[dict[str, str | None]]:
    return [
        {"messageId": m.message_id, "openid": m.recipient, "text": m.text, "at": m.at, "caseId": m.case_id}
        for m in message_box.recent("wechat", limit)
    ]
