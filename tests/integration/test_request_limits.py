"""Bodies over the limit are refused before parsing; error replies list a few problems, not all."""

import json

import pytest

from tests.factories import case_body, staff_token

OVER_DEFAULT = 256 * 1024 + 1


@pytest.mark.parametrize(("method", "path"), [("POST", "/cases"), ("POST", "/webhooks/insurers/PICC"), ("POST", "/wechat")])
def test_given_a_body_over_the_limit_when_posted_then_413_before_anything_reads_it(api, method, path):
    body = json.dumps({**case_body(), "padding": ["x" * 64] * (OVER_DEFAULT // 64)})
    reply = api.call(method, path, staff_token("dispatcher"), body)
    assert reply.status == 413, reply.body
    assert reply.body["error"]["code"] == "PayloadTooLarge" and reply.body["error"]["field"] == "body"
    assert len(json.dumps(reply.body)) < 1000


def test_given_a_lower_configured_limit_then_it_applies(api, monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    reset_settings()
    reply = api.call("POST", "/cases", staff_token("dispatcher"), {**case_body(), "padding": "x" * 2048})
    assert reply.status == 413
    reset_settings()


def test_given_a_body_with_thousands_of_problems_then_the_reply_lists_five_and_counts_the_rest(api):
    created = api.create_case().body
    liabilities = {f"P{i:05d}": "MOSTLY" for i in range(3000)}
    body = {"scenario": "REAR_END", "liabilities": liabilities, "facts": "甲方追尾乙方，双方同意。"}
    reply = api.call("POST", f"/cases/{created['caseId']}/agreement", created["parties"][0]["token"], body)
    assert reply.status == 400
    error = reply.body["error"]
    assert len(error["problems"]) == 5 and error["moreProblems"] == 2995
    assert error["field"] == error["problems"][0]["field"]
    assert len(json.dumps(reply.body)) < 2000
