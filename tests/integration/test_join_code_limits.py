"""One-time codes are texted at most once a minute and five times a day per phone and per case;
the answer over the limit (429, Retry-After) is the same whether or not the phone is on the case."""

import os
from datetime import UTC, datetime, timedelta

from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue
from chalicelib.services import delivery
from tests.factories import case_body, staff_token


def _session(openid):
    return issue(Principal(subject=openid, role=Role.WECHAT_USER), os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


def _codes_texted(api):
    delivery.deliver_due()
    messages = api.call("GET", "/local/sms?limit=200", staff_token("dispatcher")).body["messages"]
    return [m for m in messages if "验证码" in m["text"]]


def test_given_a_second_request_within_a_minute_then_429_with_retry_after_and_one_text(api):
    body = case_body()
    created = api.create_case(body).body
    phone = body["parties"][1]["phone"]
    asked = {"caseId": created["caseId"], "phone": phone}
    assert api.call("POST", "/wechat/join/code", _session("o-flood"), asked).status == 202
    again = [api.call("POST", "/wechat/join/code", _session(f"o-flood-{i}"), asked) for i in range(19)]
    assert {r.status for r in again} == {429}
    assert 1 <= int(again[0].headers["Retry-After"]) <= 60
    assert again[0].body["error"]["code"] == "TooManyRequests"
    assert len(_codes_texted(api)) == 1


def test_given_an_unknown_phone_then_the_limit_answers_exactly_as_for_a_party(api):
    body = case_body()
    known_case = api.create_case(body).body
    other_case = api.create_case().body
    known = {"caseId": known_case["caseId"], "phone": body["parties"][0]["phone"]}
    unknown = {"caseId": other_case["caseId"], "phone": "13900000000"}
    replies = []
    for asked in (known, unknown):
        assert api.call("POST", "/wechat/join/code", _session("o-probe"), asked).status == 202
        replies.append(api.call("POST", "/wechat/join/code", _session("o-probe"), asked))
    assert replies[0].status == replies[1].status == 429
    assert replies[0].body == replies[1].body
    assert replies[0].headers.keys() == replies[1].headers.keys()


def test_given_many_phones_on_one_case_then_the_case_is_limited_too(api):
    created = api.create_case().body
    statuses = [api.call("POST", "/wechat/join/code", _session("o-x"), {"caseId": created["caseId"], "phone": f"1390000000{i}"}).status
                for i in range(4)]
    assert statuses == [202, 202, 202, 429]  # three a minute for one case: its parties join together


def test_given_the_daily_limit_then_the_sixth_text_of_the_day_is_refused(api, monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("JOIN_CODE_PER_MINUTE", "100")
    monkeypatch.setenv("JOIN_CODE_CASE_PER_MINUTE", "100")
    reset_settings()
    body = case_body()
    created = api.create_case(body).body
    asked = {"caseId": created["caseId"], "phone": body["parties"][0]["phone"]}
    statuses = [api.call("POST", "/wechat/join/code", _session("o-day"), asked).status for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    refused = api.call("POST", "/wechat/join/code", _session("o-day"), asked)
    assert int(refused.headers["Retry-After"]) > 60
    reset_settings()
