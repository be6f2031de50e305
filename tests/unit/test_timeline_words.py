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
