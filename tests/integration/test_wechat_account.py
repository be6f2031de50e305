"""The official account server URL, pushes answered once, H5 sign-in and joining a case."""

import time
import uuid
from urllib.parse import parse_qs, urlencode, urlparse

from chalicelib.integrations import wechat
from tests.factories import case_body

TOKEN, APP_ID, AES_KEY = "test-wechat-token", "wx1234567890test", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _signed_query(**extra):
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]  # WeChat's nonces are random: one a push
    return {"timestamp": timestamp, "nonce": nonce, "signature": wechat.url_signature(TOKEN, timestamp, nonce), **extra}


def _push_xml(openid="o-user-1", msg_type="text", content=None, event=None, event_key=None, msg_id="1001"):
    parts = [f"<ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>",
             f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"]
    if content is not None:
        parts.append(f"<Content><![CDATA[{content}]]></Content>")
    if event is not None:
        parts.append(f"<Event><![CDATA[{event}]]></Event>")
    if event_key is not None:
        parts.append(f"<EventKey><![CDATA[{event_key}]]></EventKey>")
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode()


def _post(api, xml, query=None):
    query = query or _signed_query()
    return api._client.http.post(f"/wechat?{urlencode(query)}", body=xml, headers={"Content-Type": "text/xml"})


def test_given_server_url_check_when_signed_then_echostr_else_403(api):
    good = api._client.http.get(f"/wechat?{urlencode(_signed_query(echostr='hello-7'))}")
    assert good.status_code == 200 and good.body == b"hello-7"
    bad = api._client.http.get(f"/wechat?{urlencode({**_signed_query(echostr='x'), 'signature': '0' * 40})}")
    assert bad.status_code == 403


def test_given_pushes_when_plain_then_welcome_menu_link_and_help(api):
    welcome = wechat.parse_message(_post(api, _push_xml(msg_type="event", event="subscribe", msg_id=None)).body)
    assert "事故快处" in (welcome.content or "")
    news = _post(api, _push_xml(msg_type="event", event="CLICK", event_key="REPORT_ACCIDENT", msg_id=None, openid="o-2")).body.decode()
    assert "https://h5.example.test/wechat/oauth/start" in news and "<MsgType><![CDATA[news]]>" in news
    help_text = wechat.parse_message(_post(api, _push_xml(content="你好", msg_id="2002")).body)
    assert help_text.msg_type == "text" and help_text.content


def test_given_wechat_retries_a_push_three_times_then_one_reply(api):
    xml = _push_xml(content="进度", msg_id="777")
    replies = [_post(api, xml).body for _ in range(4)]
    assert replies[0].startswith(b"<xml>")
    assert replies[1:] == [b"success"] * 3


def _sealed_push(xml, aes_key, nonce):
    """A safe-mode push as WeChat sends it: the envelope and its query string."""
    timestamp = str(int(time.time()))
    envelope = wechat.encrypt_reply(xml, TOKEN, aes_key, APP_ID, timestamp, nonce)
    encrypt = wechat.encrypted_field(envelope)
    query = {"timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes", "signature": wechat.url_signature(TOKEN, timestamp, nonce),
             "msg_signature": wechat.message_signature(TOKEN, timestamp, nonce, encrypt)}
    return envelope, query


def _opened_reply(reply, aes_key):
    """The plain reply inside a sealed answer, opened with `aes_key` only."""
    return wechat.decrypt(reply.body, _field(reply.body, "MsgSignature"), _field(reply.body, "TimeStamp"), _field(reply.body, "Nonce"),
                          TOKEN, [aes_key], APP_ID)


def test_given_safe_mode_when_pushed_then_reply_encrypted_and_bad_signature_refused(api):
    envelope, query = _sealed_push(_push_xml(content="帮助", msg_id="3003"), AES_KEY, "9876")
    reply = _post(api, envelope, query)
    assert reply.status_code == 200
    assert wechat.parse_message(_opened_reply(reply, AES_KEY)).content
    forged = _post(api, envelope, {**query, "msg_signature": "0" * 40})
    assert forged.status_code == 403


def _field(xml, name):
    text = xml.decode()
    start = text.index(f"<{name}>") + len(name) + 2
    value = text[start:text.index(f"</{name}>")]
    return value.removeprefix("<![CDATA[").removesuffix("]]>")


def test_given_stale_or_bomb_pushes_when_posted_then_refused_quickly(api):
    stale = _signed_query()
    stale["timestamp"] = str(int(time.time()) - 3600)
    stale["signature"] = wechat.url_signature(TOKEN, stale["timestamp"], stale["nonce"])
    assert _post(api, _push_xml(msg_id="4004"), stale).status_code == 403
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>')
    started = time.perf_counter()
    refused = _post(api, bomb)
    assert refused.status_code == 400 and time.perf_counter() - started < 1.0


def _sign_in(api, openid):
    start = api._client.http.get("/wechat/oauth/start")
    assert start.status_code == 302
    cookie = start.headers["Set-Cookie"].split(";")[0]
    authorize = urlparse(start.headers["Location"])
    sandbox = api._client.http.get(f"{authorize.path}?{authorize.query}&openid={openid}")
    back = urlparse(sandbox.headers["Location"])
    params = parse_qs(back.query)
    callback = f"{back.path}?{back.query}"
    reply = api._client.http.get(callback, headers={"Cookie": cookie})
    return reply, callback, cookie, params


def test_given_oauth_when_completed_then_session_and_replayed_or_foreign_state_refused(api):
    import json

    reply, callback, cookie, _ = _sign_in(api, "o-alice")
    assert reply.status_code == 200 and json.loads(reply.body)["sessionToken"]
    assert api._client.http.get(callback, headers={"Cookie": cookie}).status_code == 403  # replayed
    _, other_callback, _, _ = _sign_in(api, "o-mallory")
    assert api._client.http.get(other_callback, headers={"Cookie": cookie}).status_code == 403  # not this browser's state


def _session(api, openid):
    import json

    reply, *_ = _sign_in(api, openid)
    return json.loads(reply.body)["sessionToken"]


def test_given_openid_session_when_reading_foreign_case_then_404_and_own_report_readable(api):
    session = _session(api, "o-bob")
    foreign = api.create_case().body
    assert api.call("GET", f"/cases/{foreign['caseId']}", session).status == 404
    assert api.call("POST", "/cases", session, case_body()).body["error"]["field"] == "channel"
    mine = api.call("POST", "/cases", session, case_body(channel="WECHAT"))
    assert mine.status == 201
    view = api.call("GET", f"/cases/{mine.body['caseId']}", session).body
    assert view["parties"][0]["phone"].count("*") == 0 and view["parties"][1]["phone"].count("*") == 4
    progress = wechat.parse_message(_post(api, _push_xml(openid="o-bob", content="进度", msg_id="5005")).body)
    assert mine.body["caseId"] in (progress.content or "")


def test_given_link_token_when_joining_then_party_and_only_once(api):
    created = api.create_case().body
    second = created["parties"][1]
    carol = _session(api, "o-carol")
    joined = api.call("POST", "/wechat/join", carol, {"token": second["token"]})
    assert joined.status == 200 and joined.body == {"caseId": created["caseId"], "partyId": second["partyId"]}
    assert api.call("GET", f"/cases/{created['caseId']}", carol).status == 200
    dave = _session(api, "o-dave")
    assert api.call("POST", "/wechat/join", dave, {"token": second["token"]}).status == 403
    assert api.call("POST", "/wechat/join", dave, {"token": "x" * 40}).status == 403
    progress = wechat.parse_message(_post(api, _push_xml(openid="o-carol", content=created["caseId"], msg_id="6006")).body)
    assert created["caseId"] in (progress.content or "")


def test_given_party_joined_by_wechat_when_notified_then_by_wechat_others_by_sms(api, officer):
    from chalicelib.services import delivery
    from tests.factories import staff_token

    created = api.case_awaiting_determination()
    delivery.deliver_due()  # the links and leave-the-scene notices, all by SMS (no one has joined yet)
    erin = _session(api, "o-erin")
    api.call("POST", "/wechat/join", erin, {"token": created["parties"][0]["token"]})
    determined = api.call("POST", f"/cases/{created['caseId']}/determination", officer,
                          {"scenario": "REAR_END", "atFaultPartyId": created["parties"][0]["partyId"], "facts": "甲方追尾乙方。"})
    assert determined.status == 201
    delivery.deliver_due()
    dispatcher = staff_token("dispatcher")
    wechat_box = api.call("GET", "/local/wechat/messages", dispatcher).body["messages"]
    sms_box = api.call("GET", "/local/sms?limit=200", dispatcher).body["messages"]
    letter_by_wechat = [m for m in wechat_box if m["caseId"] == created["caseId"]]
    assert [m["openid"] for m in letter_by_wechat] == ["o-erin"] and "已由民警远程认定" in letter_by_wechat[0]["text"]
    letter_by_sms = [m for m in sms_box if m["caseId"] == created["caseId"] and "已由民警远程认定" in m["text"]]
    assert len(letter_by_sms) == 1  # the other party, who has not joined through WeChat


def test_given_phone_on_the_case_when_code_texted_then_joins_once_and_wrong_guess_spends_it(api, monkeypatch):
    from chalicelib.services import delivery
    from chalicelib.settings import reset_settings
    from tests.factories import staff_token

    monkeypatch.setenv("JOIN_CODE_PER_MINUTE", "2")  # a second code within the minute (the limit: test_join_code_limits.py)
    reset_settings()

    body = case_body()
    created = api.create_case(body).body
    frank = _session(api, "o-frank")
    phone = body["parties"][1]["phone"]
    unknown = api.call("POST", "/wechat/join/code", frank, {"caseId": created["caseId"], "phone": "13900000000"})
    known = api.call("POST", "/wechat/join/code", frank, {"caseId": created["caseId"], "phone": phone})
    assert unknown.status == known.status == 202 and unknown.body == known.body
    delivery.deliver_due()
    texts = [m for m in api.call("GET", "/local/sms?limit=200", staff_token("dispatcher")).body["messages"] if "验证码" in m["text"]]
    assert [m["phone"] for m in texts] == [phone]
    code = texts[0]["text"].split("验证码")[1][:6]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    guess = api.call("POST", "/wechat/join", frank, {"caseId": created["caseId"], "phone": phone, "code": wrong})
    assert guess.status == 403
    spent = api.call("POST", "/wechat/join", frank, {"caseId": created["caseId"], "phone": phone, "code": code})
    assert spent.status == 403  # the wrong guess used the code up
    api.call("POST", "/wechat/join/code", frank, {"caseId": created["caseId"], "phone": phone})
    delivery.deliver_due()
    texts = [m for m in api.call("GET", "/local/sms?limit=200", staff_token("dispatcher")).body["messages"] if "验证码" in m["text"]]
    code = texts[0]["text"].split("验证码")[1][:6]
    joined = api.call("POST", "/wechat/join", frank, {"caseId": created["caseId"], "phone": phone, "code": code})
    assert joined.status == 200 and joined.body["partyId"] == created["parties"][1]["partyId"]
    assert api.call("GET", f"/cases/{created['caseId']}", frank).status == 200


def test_given_expired_link_token_when_used_then_refused(api):
    from datetime import timedelta

    from chalicelib.domain import tokens
    from chalicelib.domain.principals import Principal, Role
    from chalicelib.store import cases as store

    created = api.create_case().body
    record = store.load(created["caseId"])
    party = record.parties[0]
    old = tokens.issue(Principal(subject=party.party_id, role=Role.PARTY, case_id=created["caseId"], token_id=party.token_id),
                       "test-token-secret-of-sufficient-length-0123456789", store.utcnow() - timedelta(days=30), timedelta(days=7))
    reply = api.call("GET", f"/cases/{created['caseId']}", old)
    assert reply.status == 401 and "expired" in reply.body["error"]["message"]
    assert api.call("POST", "/wechat/join", _session(api, "o-gina"), {"token": old}).status == 403


def test_given_push_sealed_with_the_previous_key_when_answered_then_reply_sealed_with_that_key(api, monkeypatch):
    """WeChat's key rotation: a push that opens only with the previous EncodingAESKey is answered
    under that same key, or WeChat cannot read the reply."""
    from chalicelib.settings import reset_settings

    previous = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
    monkeypatch.setenv("WECHAT_PREVIOUS_ENCODING_AES_KEY", previous)
    reset_settings()
    try:
        envelope, query = _sealed_push(_push_xml(content="帮助", msg_id="3004"), previous, "5432")
        reply = _post(api, envelope, query)
        assert reply.status_code == 200
        assert wechat.parse_message(_opened_reply(reply, previous)).content
    finally:
        monkeypatch.delenv("WECHAT_PREVIOUS_ENCODING_AES_KEY")
        reset_settings()


def test_given_users_with_1_and_with_10_cases_when_progress_asked_then_the_same_dynamodb_calls(api, calls):
    made_by = {}
    for openid, count in (("o-one-case", 1), ("o-ten-cases", 10)):
        session = _session(api, openid)
        case_ids = [api.call("POST", "/cases", session, case_body(channel="WECHAT")).body["caseId"] for _ in range(count)]
        calls.clear()
        reply = wechat.parse_message(_post(api, _push_xml(openid=openid, content="进度", msg_id=f"60{count}")).body)
        assert all(case_id in (reply.content or "") for case_id in case_ids)
        made_by[count] = sorted(calls)
    assert made_by[1] == made_by[10]
    reads = [name for name in made_by[10] if name in ("Query", "GetItem", "BatchGetItem")]
    assert reads == ["BatchGetItem", "Query"]  # the user's cases from the index, then their status items in one batch
