"""The party page shows the timeline's text as is: each step a party sees is in words, not a code."""

from __future__ import annotations

import pytest

from chalicelib.domain.case_status import ACTION_TEXT

PARTY_VISIBLE = [
    "CLAIMS_REPORTED", "LETTER_SERVED", "LOSSES_DECLARED", "DEADLINES_RECOUNTED", "LINK_REISSUED", "WECHAT_JOINED",
    "CLAIM_ACCEPTED", "CLAIM_DOCUMENTS_REQUESTED", "CLAIM_LOSS_ASSESSED", "CLAIM_PAID", "CLAIM_REJECTED",
]


@pytest.mark.parametrize("action", PARTY_VISIBLE)
def test_timeline_action_has_chinese_words(action):
    text = ACTION_TEXT.get(action, action)
    assert text != action and any("\u4e00" <= char <= "\u9fff" for char in text)


def _actions_written_in_code() -> set[str]:
    """Every audit action the code writes by name: `action="X"` and module constants `ACTION = "X"`."""
    import re
    from pathlib import Path

    found: set[str] = set()
    for source in (Path(__file__).resolve().parents[2] / "chalicelib").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([A-Z_]+)"', text))
        found |= set(re.findall(r'^[A-Z_]*ACTION = "([A-Z_]+)"', text, re.MULTILINE))
    return found


def test_every_action_the_code_writes_by_name_has_words_on_the_timeline():
    # a room post's ROOM_MESSAGE once reached the timeline as the bare code
    written = _actions_written_in_code()
    assert len(written) > 60 and "ROOM_MESSAGE" in written  # the search still finds them
    assert sorted(action for action in written if action not in ACTION_TEXT) == []


def test_an_insurer_s_step_is_worded_with_the_insurer_s_name():
    from chalicelib.domain.case_status import timeline_text

    assert timeline_text("CLAIM_PAID", {"insurerCode": "PICC"}, "中国人民财产保险股份有限公司") == (
        "保险公司已支付赔款（中国人民财产保险股份有限公司）")
    assert timeline_text("CLAIM_PAID", {}) == "保险公司已支付赔款"


@pytest.mark.parametrize(("milestone", "words"), [
    ("APPROVAL", "等待民警审核急诊直赔申请"), ("ADMISSION", "等待伤者持二维码到医院就诊"), ("BILLS", "等待医院上传医疗费用清单"),
    ("SOMETHING_NEW", "急诊直赔流程等待下一步办理"),
])
def test_a_direct_pay_wait_says_what_it_waits_for(milestone, words):
    from chalicelib.domain.case_status import timeline_text

    assert timeline_text("MEDICAL_AWAITING", {"milestone": milestone}) == words
