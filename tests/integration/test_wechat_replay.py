"""A plain-mode push is signed over the timestamp and nonce only, not the body: a signature seen
once cannot carry a second, different body within the timestamp window."""

import time
from urllib.parse import urlencode

from chalicelib.integrations import wechat

TOKEN = "test-wechat-token"


def _query(nonce):
    timestamp = str(int(time.time()))
    return {"timestamp": timestamp, "nonce": nonce, "signature": wechat.url_signature(TOKEN, timestamp, nonce)}


def _push(content, msg_id):
    return (f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[o-user-9]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


def _post(api, query, body):
    return api._client.http.post(f"/wechat?{urlencode(query)}", body=body, headers={"Content-Type": "text/xml"})


def test_given_a_seen_signature_with_another_body_then_403(api):
    query = _query("replay-nonce-1")
    assert _post(api, query, _push("帮助", "9001")).status_code == 200
    replayed = _post(api, query, _push("进度", "9002"))
    assert replayed.status_code == 403


def test_given_wechat_retrying_the_same_push_then_success_once_more(api):
    query = _query("retry-nonce-1")
    body = _push("帮助", "9003")
    assert _post(api, query, body).status_code == 200
    retried = _post(api, query, body)
    assert retried.status_code == 200 and retried.body == b"success"


def test_given_two_pushes_with_their_own_nonces_then_both_answered(api):
    assert _post(api, _query("nonce-a"), _push("帮助", "9004")).body != b"success"
    assert _post(api, _query("nonce-b"), _push("帮助", "9005")).body != b"success"
