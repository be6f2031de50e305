"""The official account's access token, shared through the table (ADR 0034): one fetch of the
stable token for many callers at once, refreshed ahead of expiry, and a failed refresh keeping the
stored token. WeChat is a fake server on loopback (tests/wechat_fake.py)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from chalicelib.integrations import wechat_messages, wechat_token
from chalicelib.settings import get_settings, reset_settings
from chalicelib.store import wechat_token as token_store
from tests.wechat_fake import FakeWeChat

START = 1_800_000_000.0  # the tests' clock, epoch seconds


@pytest.fixture
def wechat(aws, monkeypatch):
    monkeypatch.setattr(wechat_token, "wechat_app_secret", lambda: "app-secret")
    with FakeWeChat() as fake:
        monkeypatch.setattr(wechat_token, "WECHAT_API", fake.url)
        yield fake


def _at(seconds: float):
    return lambda: START + seconds


def test_given_many_callers_at_once_when_no_token_is_stored_then_one_fetch_serves_them_all(wechat):
    wechat.delay = 0.5  # the first caller's fetch is still running when the others arrive
    with ThreadPoolExecutor(max_workers=12) as pool:
        tokens = list(pool.map(lambda _: wechat_token.access_token(clock=_at(0)), range(12)))
    assert tokens == ["TOKEN-1"] * 12
    assert len(wechat.token_requests) == 1
    # the stable token in normal mode: never force_refresh, which would invalidate the others' token
    assert wechat.token_requests[0] == {
        "grant_type": "client_credential", "appid": get_settings().wechat_app_id, "secret": "app-secret", "force_refresh": False,
    }
    stored = token_store.cached(get_settings().wechat_app_id)
    assert stored is not None and (stored.token, stored.expires_at, stored.leased_until) == ("TOKEN-1", START + 7200, 0)


def test_given_a_stored_token_when_read_then_used_until_shortly_before_expiry_and_refreshed_ahead(wechat):
    assert wechat_token.access_token(clock=_at(0)) == "TOKEN-1"
    # well before expiry: every caller uses the stored token, nobody asks WeChat
    assert wechat_token.access_token(clock=_at(7200 - wechat_token.REFRESH_AHEAD_SECONDS - 1)) == "TOKEN-1"
    assert len(wechat.token_requests) == 1
    # within the refresh window, still valid: refreshed before it expires
    assert wechat_token.access_token(clock=_at(7200 - wechat_token.REFRESH_AHEAD_SECONDS + 1)) == "TOKEN-2"
    assert len(wechat.token_requests) == 2


@pytest.mark.parametrize("answer", [(500, {}), (200, {"errcode": -1, "errmsg": "system error"})])
def test_given_a_failing_refresh_when_the_stored_token_is_still_valid_then_it_is_kept_and_used(wechat, answer):
    assert wechat_token.access_token(clock=_at(0)) == "TOKEN-1"
    wechat.answers = [answer, answer]
    almost = 7200 - wechat_token.REFRESH_AHEAD_SECONDS + 1
    assert wechat_token.access_token(clock=_at(almost)) == "TOKEN-1"  # the refresh failed: the old one serves
    stored = token_store.cached(get_settings().wechat_app_id)
    assert stored is not None and (stored.token, stored.expires_at, stored.leased_until) == ("TOKEN-1", START + 7200, 0)
    # past the usable margin with WeChat still failing: no token rather than an expired one
    with pytest.raises(wechat_token.TokenUnavailable):
        wechat_token.access_token(clock=_at(7200 - wechat_token.USABLE_MARGIN_SECONDS + 1))
    # and WeChat back: the next caller refreshes
    assert wechat_token.access_token(clock=_at(7200 - 30)) == "TOKEN-4"


def test_given_the_refresher_mode_when_reading_then_only_the_refresher_asks_wechat(wechat, monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN_FETCH", "refresher")
    reset_settings()
    with pytest.raises(wechat_token.TokenUnavailable):
        wechat_token.access_token(clock=_at(0))  # outside the VPC: never asks WeChat itself
    assert wechat.token_requests == []
    assert wechat_token.refresh_if_due(clock=_at(0)) is True  # the in-VPC refresher's run
    assert wechat_token.refresh_if_due(clock=_at(60)) is False  # not due yet: nothing asked
    assert wechat_token.access_token(clock=_at(7000)) == "TOKEN-1"  # within the refresh window, still usable
    assert len(wechat.token_requests) == 1


def test_given_two_notices_by_wechat_when_sent_then_both_carry_the_one_shared_token(wechat, monkeypatch):
    monkeypatch.setattr(wechat_token, "WECHAT_API", wechat.url)
    api = wechat_messages.WeChatApi()
    api.send("openid-1", "您的案件已受理。", "C1")
    api.send("openid-2", "您的案件已受理。", "C2")
    assert [m["token"] for m in wechat.messages] == ["TOKEN-1", "TOKEN-1"]
    assert len(wechat.token_requests) == 1
    assert time.time() < token_store.cached(get_settings().wechat_app_id).expires_at


def test_given_the_refresher_function_when_run_on_its_schedule_then_it_asks_wechat_only_when_due(wechat):
    from functions.wechat_token.handler import handler

    context = SimpleNamespace(function_name="wechat-token", memory_limit_in_mb=512, invoked_function_arn="arn:aws:lambda:r:0:function:w",
                              aws_request_id="r-1")
    assert handler({}, context) == {"refreshed": True}
    assert handler({}, context) == {"refreshed": False}
    assert len(wechat.token_requests) == 1
