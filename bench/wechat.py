"""POST /wechat reply time on the local stack: WeChat drops a call after 5 s, so the target is
p99 under 1 s. Plain and safe-mode (AES) pushes, each with a fresh MsgId (as WeChat sends)."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.api import running_stack
from bench.failure import SectionFailed
from bench.stats import p99

TARGET_SECONDS = 1.0


@dataclass
class WeChatResults:
    plain: list[float]  # 帮助 and 进度 from users with no case, alternately
    encrypted: list[float]
    progress: list[float] = field(default_factory=list)  # 进度 from a user who joined several cases
    cases: int = 0


PROGRESS_OPENID = "o-bench-progress"


def _push(openid: str, msg_id: int, content: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def _user_with_cases(stack: Any, session: Any, cases: int) -> None:
    """PROGRESS_OPENID joins one party of each of `cases` cases, as a WeChat user does with a link."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain import tokens
    from chalicelib.domain.principals import Principal, Role
    from tests.factories import case_body, staff_token

    secret = os.environ["TOKEN_SECRET"]
    dispatcher = {"Authorization": f"Bearer {staff_token('dispatcher', secret=secret)}"}
    wechat_user = tokens.issue(Principal(subject=PROGRESS_OPENID, role=Role.WECHAT_USER), secret, datetime.now(UTC),
                               timedelta(hours=1))
    for _ in range(cases):
        created = session.post(f"{stack.url}/cases", json=case_body(), headers=dispatcher).json()
        joined = session.post(f"{stack.url}/wechat/join", json={"token": created["parties"][0]["token"]},
                              headers={"Authorization": f"Bearer {wechat_user}"})
        assert joined.status_code == 200, joined.text


def run(n: int, cases: int = 5) -> WeChatResults:
    """The figures as far as they got: a failure raises SectionFailed carrying the report so far."""
    from chalicelib.integrations import wechat

    result = WeChatResults([], [], [], cases)
    try:
        with running_stack("wechat") as (stack, session):
            _user_with_cases(stack, session, cases)
            token, app_id, key = os.environ["WECHAT_TOKEN"], os.environ["WECHAT_APP_ID"], os.environ["WECHAT_ENCODING_AES_KEY"]

            def send(body: bytes, query: dict[str, str]) -> tuple[float, Any]:
                started = time.perf_counter()
                reply = session.post(f"{stack.url}/wechat?{urlencode(query)}", data=body, headers={"Content-Type": "text/xml"})
                return time.perf_counter() - started, reply

            for i in range(n + 5):  # the first five warm up
                timestamp, nonce = str(int(time.time())), f"{i:08d}"
                query = {"timestamp": timestamp, "nonce": nonce, "signature": wechat.url_signature(token, timestamp, nonce)}
                elapsed, reply = send(_push(f"o-bench-{i % 7}", 9_000_000 + i, "进度" if i % 2 else "帮助"), query)
                assert reply.status_code == 200 and reply.content.startswith(b"<xml>"), reply.text
                if i >= 5:
                    result.plain.append(elapsed)
                # its own nonce: a timestamp and nonce pair is refused with a second message (replay guard)
                progress_nonce = f"p{i:07d}"
                progress_query = {"timestamp": timestamp, "nonce": progress_nonce,
                                  "signature": wechat.url_signature(token, timestamp, progress_nonce)}
                elapsed, reply = send(_push(PROGRESS_OPENID, 7_000_000 + i, "进度"), progress_query)
                assert reply.status_code == 200 and reply.content.startswith(b"<xml>"), reply.text
                if i >= 5:
                    result.progress.append(elapsed)
                envelope = wechat.encrypt_reply(_push("o-bench-aes", 8_000_000 + i, "帮助"), token, key, app_id, timestamp, nonce)
                secure = {**query, "encrypt_type": "aes",
                          "msg_signature": wechat.message_signature(token, timestamp, nonce, wechat.encrypted_field(envelope))}
                elapsed, reply = send(envelope, secure)
                assert reply.status_code == 200 and b"<Encrypt>" in reply.content, reply.text
                if i >= 5:
                    result.encrypted.append(elapsed)
    except Exception as error:
        raise SectionFailed(report(result) if result.encrypted else []) from error
    return result


def report(result: WeChatResults) -> list[str]:
    lines = [f"7. POST /wechat reply time on the local stack (n={len(result.plain)} each, ms; "
             f"target p99 < {TARGET_SECONDS * 1000:.0f}; ratio = p99 / target)"]
    for label, values in ((f"进度, a user with {result.cases} cases", result.progress),
                          ("plain: 帮助 / 进度 of no case", result.plain), ("safe mode (AES)", result.encrypted)):
        ms = [v * 1000 for v in values]
        verdict = "PASS" if p99(values) < TARGET_SECONDS else "FAIL"
        lines.append(f"  {label:<28} p50 {statistics.median(ms):7.1f}   p99 {p99(ms):7.1f}   "
                     f"{p99(values) / TARGET_SECONDS:.2f}x (target < 1.00x)   {verdict}")
    lines.append("  (each push claims its MsgId with a conditional write; 进度 reads the sender's cases by GSI, "
                 "then the cases' status and time in one BatchGet)")
    return lines
