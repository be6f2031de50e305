"""What the official account answers to each kind of message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from defusedxml import ElementTree

from chalicelib.domain import wechat_dialogue as dialogue
from chalicelib.domain.wechat_dialogue import CaseStatusLine, Reply, reply_for
from chalicelib.domain.wechat_message import Inbound
from chalicelib.integrations import wechat

LINK = "https://h5.example.test/wechat/report?from=menu"
OWN_CASE = "YC250301ABCD2345"
OTHER_CASE = "YC250301ZZZZ9999"
T0 = datetime(2025, 3, 1, 0, 30, tzinfo=UTC)  # 08:30 in Beijing


def _event(event: str, key: str | None = None) -> Inbound:
    return Inbound("gh_yancheng", "oUser123", 1740790000, "event", event=event, event_key=key)


def _text(content: str | None) -> Inbound:
    return Inbound("gh_yancheng", "oUser123", 1740790000, "text", content=content, msg_id="1")


def _never_cases() -> list[CaseStatusLine]:
    raise AssertionError("the user's cases must not be read for this message")


def _never_lookup(case_id: str) -> CaseStatusLine | None:
    raise AssertionError("no case must be looked up for this message")


def _reply(message: Inbound, cases=_never_cases, lookup=_never_lookup) -> Reply | None:
    return reply_for(message, LINK, cases, lookup)


class Lookup:
    """A fake repository answering only for the user's own cases, recording what was asked."""

    def __init__(self, *own: CaseStatusLine) -> None:
        self.own = {case.case_id: case for case in own}
        self.asked: list[str] = []

    def __call__(self, case_id: str) -> CaseStatusLine | None:
        self.asked.append(case_id)
        return self.own.get(case_id)


# --- events ------------------------------------------------------------------------------------


def test_given_subscribe_when_answered_then_welcome_listing_the_menu():
    reply = _reply(_event("subscribe"))
    assert reply is not None and reply.kind == "text"
    assert reply.content.startswith("欢迎关注")
    for item in ("事故快处", "进度", "事故编号", "110"):
        assert item in reply.content


def test_given_subscribe_from_qr_scene_when_answered_then_same_welcome():
    assert _reply(_event("subscribe", "qrscene_110")) == _reply(_event("subscribe"))


def test_given_report_accident_click_when_answered_then_news_with_h5_link():
    reply = _reply(_event("CLICK", "REPORT_ACCIDENT"))
    assert reply == Reply("news", title="事故快处", description=dialogue.REPORT_DESCRIPTION, url=LINK)
    assert "拍" in reply.description and "照片" in reply.description and "轻微" in reply.description


def test_given_other_click_when_answered_then_help():
    reply = _reply(_event("CLICK", "SOMETHING_ELSE"))
    assert reply == Reply("text", content=dialogue.HELP_TEXT)


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH", "SCAN", ""])
def test_given_event_the_user_did_not_type_when_answered_then_no_reply(event):
    assert _reply(_event(event, "https://h5.example.test/")) is None


# --- progress -----------------------------------------------------------------------------------


def test_given_progress_and_no_cases_when_answered_then_no_record():
    assert _reply(_text("进度"), cases=list) == Reply("text", content="暂无您的事故记录")


def test_given_progress_when_answered_then_each_case_with_label_and_beijing_time_newest_first():
    cases = [
        CaseStatusLine("YC250301AAAA1111", "CONFIRMED", T0),
        CaseStatusLine("YC250302BBBB2222", "AWAITING_DETERMINATION", T0 + timedelta(days=1)),
    ]
    reply = _reply(_text(" 进度 \n"), cases=lambda: cases)
    assert reply is not None and reply.kind == "text"
    assert "共2起" in reply.content
    assert "事故编号：YC250302BBBB2222\n状态：等待民警认定\n时间：2025-03-02 08:30" in reply.content
    assert "事故编号：YC250301AAAA1111\n状态：已确认\n时间：2025-03-01 08:30" in reply.content
    assert reply.content.index("YC250302BBBB2222") < reply.content.index("YC250301AAAA1111")


def test_given_many_cases_when_progress_answered_then_recent_ten_fit_one_passive_reply():
    cases = [CaseStatusLine(f"YC2503{day:02d}ABCD{day:04d}", "SETTLED", T0.replace(day=day)) for day in range(1, 26)]
    reply = _reply(_text("进度"), cases=lambda: cases)
    assert reply is not None
    assert reply.content.count("事故编号：") == 10
    assert "YC250325ABCD0025" in reply.content and "YC250315ABCD0015" not in reply.content
    assert "共25起" in reply.content and "仅显示最近10起" in reply.content
    rendered = wechat.text_reply("oUser123", "gh_yancheng", reply.content, T0)
    assert len(ElementTree.fromstring(rendered).findtext("Content", "").encode()) <= 2048


def test_given_naive_and_other_zone_times_when_listed_then_shown_in_beijing_time():
    cases = [
        CaseStatusLine("YC250301AAAA1111", "DISPUTED", datetime(2025, 3, 1, 9, 15)),  # naive means Beijing
        CaseStatusLine("YC250301BBBB2222", "DETERMINED", datetime(2025, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))),
    ]
    reply = _reply(_text("进度"), cases=lambda: cases)
    assert reply is not None
    assert "状态：有异议\n时间：2025-03-01 09:15" in reply.content
    assert "状态：已认定待签字\n时间：2025-03-01 11:00" in reply.content


# --- a case number ------------------------------------------------------------------------------


def test_given_own_case_number_when_answered_then_its_status():
    lookup = Lookup(CaseStatusLine(OWN_CASE, "EVIDENCE_PENDING", T0))
    reply = _reply(_text(OWN_CASE), lookup=lookup)
    assert reply == Reply("text", content=f"事故编号：{OWN_CASE}\n状态：待上传证据\n时间：2025-03-01 08:30")
    assert lookup.asked == [OWN_CASE]


@pytest.mark.parametrize(
    "typed", [OWN_CASE.lower(), f"  {OWN_CASE}\n", "ＹＣ２５０３０１ＡＢＣＤ２３４５"], ids=["lower", "spaces", "full-width"]
)
def test_given_case_number_typed_loosely_when_answered_then_normalised_before_lookup(typed):
    lookup = Lookup(CaseStatusLine(OWN_CASE, "SETTLED", T0))
    reply = _reply(_text(typed), lookup=lookup)
    assert reply is not None and "状态：已协商解决" in reply.content
    assert lookup.asked == [OWN_CASE]


def test_given_someone_elses_or_unknown_case_number_when_answered_then_not_found():
    lookup = Lookup(CaseStatusLine(OWN_CASE, "CONFIRMED", T0))
    assert _reply(_text(OTHER_CASE), lookup=lookup) == Reply("text", content="未找到您的该事故记录")
    assert lookup.asked == [OTHER_CASE]


def test_given_lookup_answering_for_a_different_case_when_answered_then_not_shown():
    def confused(case_id: str) -> CaseStatusLine:
        return CaseStatusLine(OWN_CASE, "CONFIRMED", T0)

    reply = _reply(_text(OTHER_CASE), lookup=confused)
    assert reply == Reply("text", content="未找到您的该事故记录")


@pytest.mark.parametrize(
    "typed", ["YC25031ABCD23456", "YC25030ABCD23456", "YC250301ABCD23456", "XC250301ABCD2345", "YC250301ABCD234-", "YC٢٥٠٣٠١ABCD2345"]
)
def test_given_text_almost_a_case_number_when_answered_then_help_without_lookup(typed):
    assert _reply(_text(typed)) == Reply("text", content=dialogue.HELP_TEXT)


# --- everything else ----------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["你好", "进度查询啊", "", None, "help"])
def test_given_other_text_when_answered_then_help(content):
    reply = _reply(_text(content))
    assert reply == Reply("text", content=dialogue.HELP_TEXT)
    assert "事故快处" in reply.content and "进度" in reply.content


@pytest.mark.parametrize("msg_type", ["image", "voice", "video", "location", "link"])
def test_given_non_text_message_when_answered_then_help(msg_type):
    assert _reply(Inbound("gh", "oUser123", 1, msg_type, msg_id="2")) == Reply("text", content=dialogue.HELP_TEXT)


def test_given_every_case_status_then_its_chinese_label():
    assert {status: dialogue.status_label(status) for status in dialogue.STATUS_LABELS} == {
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
    assert dialogue.status_label("SOMETHING_NEW") == "处理中"


def test_given_case_statuses_of_the_domain_then_every_one_has_a_label():
    from chalicelib.domain import case_status

    statuses = {value for name, value in vars(case_status).items() if name.isupper() and isinstance(value, str) and value == name}
    assert statuses <= set(dialogue.STATUS_LABELS)


def test_given_news_reply_rendered_then_passive_news_xml_carries_link():
    reply = _reply(_event("CLICK", "REPORT_ACCIDENT"))
    assert reply is not None
    xml = wechat.news_reply("oUser123", "gh_yancheng", reply.title, reply.description, reply.url, T0)
    assert ElementTree.fromstring(xml).findtext("Articles/item/Url") == LINK


def test_given_a_message_or_an_event_then_its_push_id_is_what_wechats_retries_of_it_share():
    assert Inbound("gh", "oUser123", 1740790000, "text", content="进度", msg_id="42").push_id == "42"
    event = Inbound("gh", "oUser123", 1740790000, "event", event="subscribe")
    assert event.push_id == Inbound("gh", "oUser123", 1740790000, "event", event="subscribe").push_id
    assert event.push_id != Inbound("gh", "oUser123", 1740790001, "event", event="subscribe").push_id
    assert event.push_id != Inbound("gh", "oOther", 1740790000, "event", event="subscribe").push_id
