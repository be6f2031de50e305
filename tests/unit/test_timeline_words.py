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
