"""POST /wechat reply time on the local stack: WeChat drops a call after 5 s, so the target is
p99 under 1 s. Plain and safe-mode (AES) pushes, each with a fresh MsgId (as WeChat sends)."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.api import running_stack
from bench.stats import p99

TARGET_SECONDS = 1.0


@dataclass
class WeChatResults:
    plain: list[float]
    encrypted: list[float]


def _push(openid: str, msg_id: int, content: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def run(n: int) -> WeChatResults:
    from chalicelib.integrations import wechat

    plain: list[float] = []
    encrypted: list[float] = []
    with running_stack("wechat") as (stack, session):
        token, app_id, key = os.environ["WECHAT_TOKEN"], os.environ["WECHAT_APP_ID"], os.environ["WECHAT_ENCODING_AES_KEY"]
        for i in range(n + 5):  # the first five warm up
            timestamp, nonce = str(int(time.time())), f"{i:08d}"
            query = {"timestamp": timestamp, "nonce": nonce, "signature": wechat.url_signature(token, timestamp, nonce)}
            body = _push(f"o-bench-{i % 7}", 9_000_000 + i, "进度" if i % 2 else "帮助")
            started = time.perf_counter()
            reply = session.post(f"{stack.url}/wechat?{urlencode(query)}", data=body, headers={"Content-Type": "text/xml"})
            elapsed = time.perf_counter() - started
            assert reply.status_code == 200 and reply.content.startswith(b"<xml>"), reply.text
            if i >= 5:
                plain.append(elapsed)
            envelope = wechat.encrypt_reply(_push("o-bench-aes", 8_000_000 + i, "帮助"), token, key, app_id, timestamp, nonce)
            secure = {**query, "encrypt_type": "aes",
                      "msg_signature": wechat.message_signature(token, timestamp, nonce, wechat.encrypted_field(envelope))}
            started = time.perf_counter()
            reply = session.post(f"{stack.url}/wechat?{urlencode(secure)}", data=envelope, headers={"Content-Type": "text/xml"})
            elapsed = time.perf_counter() - started
            assert reply.status_code == 200 and b"<Encrypt>" in reply.content, reply.text
            if i >= 5:
                encrypted.append(elapsed)
    return WeChatResults(plain, encrypted)


def report(result: WeChatResults) -> list[str]:
    lines = [f"7. POST /wechat reply time on the local stack (n={len(result.plain)} each, ms; target p99 < {TARGET_SECONDS * 1000:.0f})"]
    for label, values in (("plain", result.plain), ("safe mode (AES)", result.encrypted)):
        ms = [v * 1000 for v in values]
        verdict = "PASS" if p99(values) < TARGET_SECONDS else "FAIL"
        lines.append(f"  {label:<16} p50 {statistics.median(ms):7.1f}   p99 {p99(ms):7.1f}   {verdict}")
    lines.append("  (each push claims its MsgId with a conditional write; 进度 reads the sender's cases by GSI)")
    return lines
