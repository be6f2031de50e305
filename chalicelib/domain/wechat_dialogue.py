"""What the official account answers: welcome, the 事故快处 link, case progress, help.

Pure: the caller reads the cases (`cases_of_user`, `case_lookup`) and renders the reply
(`chalicelib.integrations.wechat.text_reply` / `news_reply`). `case_lookup` is the one
that makes sure a case number typed by a user is answered only if it is that user's own;
this module never shows a case it was not given.

Events nobody typed (location reports, template delivery reports, unsubscribe, menu links
that open a page) get no reply (`None`): the endpoint then answers "success", WeChat's
"nothing to say", instead of pushing help text at a user who did nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.wechat_message import Inbound

REPORT_ACCIDENT = "REPORT_ACCIDENT"
PROGRESS_COMMAND = "进度"
CASE_NUMBER = re.compile(r"YC[0-9]{6}[0-9A-Z]{8}")
MAX_LISTED_CASES = 10  # a passive text reply holds at most 2048 bytes

STATUS_LABELS = {
    "EVIDENCE_PENDING": "待上传证据",
    "AWAITING_DETERMINATION": "等待民警认定",
    "AGREEMENT_PROPOSED": "协商中",
    "DETERMINED": "已认定待签字",
    "CONFIRMED": "已确认",
    "DISPUTED": "有异议",
    "SETTLED": "已协商解决",
    "REFERRED_ON_SCENE": "已转现场处理",
    "UNDER_REVIEW": "复核中",
    "REVIEWED": "复核维持原认定",
    "MEDIATION_REQUESTED": "已申请调解",
    "MEDIATION_SCHEDULED": "待调解",
    "MEDIATING": "调解中",
    "MEDIATED": "调解达成",
    "MEDIATION_TERMINATED": "调解终结",
}
UNKNOWN_STATUS_LABEL = "处理中"

SAFETY_NOTE = "如有人员伤亡、车辆无法移动，或涉嫌酒驾、无证驾驶等情形，请立即拨打110报警，并在现场等候民警处理。"
MENU = (
    "· 菜单「事故快处」：轻微事故在线报案，按提示拍照取证，上传后即可撤离现场，民警远程认定责任\n"
    "· 回复「进度」：查询您的事故处理进度\n"
    "· 回复事故编号（如 YC250301ABCD2345）：查询该起事故的状态"
)
WELCOME_TEXT = f"欢迎关注盐城交警云车通！\n{MENU}\n{SAFETY_NOTE}"
HELP_TEXT = f"您好，这里是盐城交警云车通，您可以：\n{MENU}\n{SAFETY_NOTE}"
REPORT_TITLE = "事故快处"
REPORT_DESCRIPTION = (
    "发生轻微交通事故、无人受伤且车辆可以移动时，点击进入在线报案：按提示拍摄现场照片并上传，随后撤离现场，等待民警远程认定责任。"
)
NO_CASES_TEXT = "暂无您的事故记录"
CASE_NOT_FOUND_TEXT = "未找到您的该事故记录"


@dataclass(frozen=True)
class CaseStatusLine:
    case_id: str
    status: str
    occurred_at: datetime


@dataclass(frozen=True)
class Reply:
    kind: Literal["text", "news"]
    content: str = ""
    title: str = ""
    description: str = ""
    url: str = ""


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, UNKNOWN_STATUS_LABEL)


def _beijing(moment: datetime) -> datetime:
    """Wall-clock time in Beijing; a naive time is taken as already Beijing time."""
    return moment.replace(tzinfo=CHINA) if moment.tzinfo is None else moment.astimezone(CHINA)


def _describe(case: CaseStatusLine) -> str:
    return f"事故编号：{case.case_id}\n状态：{status_label(case.status)}\n时间：{_beijing(case.occurred_at):%Y-%m-%d %H:%M}"


def _progress(cases: list[CaseStatusLine]) -> str:
    if not cases:
        return NO_CASES_TEXT
    newest_first = sorted(cases, key=lambda case: _beijing(case.occurred_at), reverse=True)
    shown = newest_first[:MAX_LISTED_CASES]
    text = f"您的事故记录（共{len(cases)}起）：\n\n" + "\n\n".join(_describe(case) for case in shown)
    if len(cases) > len(shown):
        text += f"\n\n仅显示最近{len(shown)}起，其余可回复事故编号查询。"
    return text


def normalise_text(content: str | None) -> str:
    """What the user typed, trimmed, full-width letters and digits folded to ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", content or "").strip()


def reply_for(
    message: Inbound,
    report_link: str,
    cases_of_user: Callable[[], list[CaseStatusLine]],
    case_lookup: Callable[[str], CaseStatusLine | None],
) -> Reply | None:
    """The answer to one inbound message, or None when the push is not something the user said."""
    if message.msg_type == "event":
        event = (message.event or "").lower()
        if event == "subscribe":
            return Reply("text", content=WELCOME_TEXT)
        if event == "click":
            if (message.event_key or "").strip() == REPORT_ACCIDENT:
                return Reply("news", title=REPORT_TITLE, description=REPORT_DESCRIPTION, url=report_link)
            return Reply("text", content=HELP_TEXT)
        return None
    if message.msg_type == "text":
        typed = normalise_text(message.content)
        if typed == PROGRESS_COMMAND:
            return Reply("text", content=_progress(cases_of_user()))
        case_id = typed.upper()
        if CASE_NUMBER.fullmatch(case_id):
            case = case_lookup(case_id)
            if case is None or case.case_id != case_id:
                return Reply("text", content=CASE_NOT_FOUND_TEXT)
            return Reply("text", content=_describe(case))
    return Reply("text", content=HELP_TEXT)
