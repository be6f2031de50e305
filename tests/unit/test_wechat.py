"""WeChat official account protocol: signatures, clock skew, safe-mode crypto, safe XML, replies."""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from defusedxml import ElementTree

from chalicelib.errors import Forbidden, ValidationFailed
from chalicelib.integrations import wechat

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A copy of the published example kept in the repository, so every clone runs it (source: tests/vectors/README.md).
VECTOR_PATH = PROJECT_ROOT / "tests" / "vectors" / "wechat_official_vector.json"

TOKEN = "yctoken2025"
APP_ID = "wx1234567890abcdef"
CURRENT_KEY = base64.b64encode(bytes(range(32))).decode()[:43]
PREVIOUS_KEY = base64.b64encode(bytes(range(100, 132))).decode()[:43]
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
TS = str(int(NOW.timestamp()))
NONCE = "1320562132"
INBOUND_TEXT = (
    "<xml><ToUserName><![CDATA[gh_yancheng]]></ToUserName><FromUserName><![CDATA[oUser123]]></FromUserName>"
    f"<CreateTime>{TS}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[进度]]></Content>"
    "<MsgId>1234567890123456</MsgId></xml>"
).encode()


@pytest.fixture
def vector() -> dict:
    return json.loads(VECTOR_PATH.read_text(encoding="utf-8"))


def _decrypt_vector(vector: dict, **overrides) -> bytes:
    args = {
        "encrypted_xml_or_field": vector["encrypt"],
        "msg_signature": vector["msgSignature"],
        "timestamp": vector["timestamp"],
        "nonce": vector["nonce"],
        "token": vector["token"],
        "aes_keys": [vector["encodingAESKey"]],
        "app_id": vector["appId"],
    }
    args.update(overrides)
    return wechat.decrypt(**args)


def _envelope(sealed: bytes) -> dict[str, str]:
    root = ElementTree.fromstring(sealed)
    return {child.tag: child.text or "" for child in root}


# --- the official example --------------------------------------------------------------------------


def test_given_official_vector_when_decrypted_then_expected_message_reproduced(vector):
    plain = _decrypt_vector(vector, app_id=vector["expected"]["fromAppId"])
    assert len(plain) == vector["expected"]["messageLength"]
    message = wechat.parse_message(plain)
    assert message.content == vector["expected"]["Content"] == "abcdteT"
    assert message.msg_id == vector["expected"]["MsgId"]
    assert (message.msg_type, message.from_user) == ("text", "oyORnuP8q7ou2gfYjqLzSIWZf0rs")


def test_given_official_vector_as_envelope_when_decrypted_then_same_message(vector):
    envelope = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{vector['encrypt']}]]></Encrypt></xml>"
    assert _decrypt_vector(vector, encrypted_xml_or_field=envelope.encode()) == _decrypt_vector(vector)


def test_given_official_vector_with_another_appid_when_decrypted_then_refused(vector):
    with pytest.raises(Forbidden) as caught:
        _decrypt_vector(vector, app_id="wx0000000000000000")
    assert caught.value.field == "appid"


def test_given_official_vector_when_msg_signature_wrong_then_refused_before_decrypting(vector):
    for bad in ("0" * 40, vector["msgSignature"][:-1], "", "签名"):
        with pytest.raises(Forbidden) as caught:
            _decrypt_vector(vector, msg_signature=bad)
        assert caught.value.field == "msg_signature"
    with pytest.raises(Forbidden) as caught:
        _decrypt_vector(vector, nonce="1320562133")
    assert caught.value.field == "msg_signature"


def test_given_official_vector_when_its_key_is_the_previous_one_then_still_accepted(vector):
    plain = _decrypt_vector(vector, aes_keys=[CURRENT_KEY, vector["encodingAESKey"]])
    assert wechat.parse_message(plain).content == "abcdteT"


def test_given_official_vector_when_its_key_not_configured_then_refused(vector):
    with pytest.raises(Forbidden) as caught:
        _decrypt_vector(vector, aes_keys=[CURRENT_KEY, PREVIOUS_KEY])
    assert caught.value.field == "Encrypt"


def test_given_official_vector_then_signature_matches_wechatpy_reference(vector):
    wechatpy_crypto = importlib.import_module("wechatpy.crypto")
    reference = wechatpy_crypto.WeChatCrypto(vector["token"], vector["encodingAESKey"], vector["appId"])
    envelope = f"<xml><Encrypt><![CDATA[{vector['encrypt']}]]></Encrypt></xml>"
    theirs = reference.decrypt_message(envelope, vector["msgSignature"], vector["timestamp"], vector["nonce"])
    assert _decrypt_vector(vector) == theirs.encode("utf-8")


# --- URL verification and the clock -----------------------------------------------------------------


def test_given_url_parameters_when_signed_then_sha1_of_sorted_parts():
    expected = hashlib.sha1("".join(sorted([TOKEN, TS, NONCE])).encode()).hexdigest()  # noqa: S324
    assert wechat.url_signature(TOKEN, TS, NONCE) == expected
    wechat.check_url_signature(TOKEN, TS, NONCE, expected)
    wechat.check_url_signature(TOKEN, TS, NONCE, expected.upper())


def test_given_url_signature_then_wechatpy_reference_agrees():
    utils = importlib.import_module("wechatpy.utils")
    utils.check_signature(TOKEN, wechat.url_signature(TOKEN, TS, NONCE), TS, NONCE)  # raises if it disagrees


@pytest.mark.parametrize("bad", ["", "0" * 40, "不是签名", "deadbeef"])
def test_given_bad_url_signature_when_checked_then_forbidden(bad):
    with pytest.raises(Forbidden) as caught:
        wechat.check_url_signature(TOKEN, TS, NONCE, bad)
    assert (caught.value.field, caught.value.message) == ("signature", "signature does not match")


def test_given_signature_for_other_token_when_checked_then_forbidden():
    with pytest.raises(Forbidden):
        wechat.check_url_signature(TOKEN, TS, NONCE, wechat.url_signature("other", TS, NONCE))


@pytest.mark.parametrize("offset", [0, 299, -299, 300, -300])
def test_given_timestamp_within_five_minutes_when_checked_then_accepted(offset):
    wechat.check_timestamp(str(int(NOW.timestamp()) + offset), NOW)


@pytest.mark.parametrize("offset", [301, -301, 86400])
def test_given_timestamp_more_than_five_minutes_off_when_checked_then_forbidden(offset):
    with pytest.raises(Forbidden) as caught:
        wechat.check_timestamp(str(int(NOW.timestamp()) + offset), NOW)
    assert caught.value.field == "timestamp"


@pytest.mark.parametrize("bad", ["", "abc", "+1740816000", " 1740816000", "1740816000.5", "１７４０８１６０００", "1_740_816_000"])
def test_given_timestamp_not_an_integer_when_checked_then_forbidden(bad):
    with pytest.raises(Forbidden) as caught:
        wechat.check_timestamp(bad, NOW)
    assert caught.value.field == "timestamp"


def test_given_custom_tolerance_and_other_zone_when_checked_then_honoured():
    beijing_now = NOW.astimezone(timezone(timedelta(hours=8)))
    wechat.check_timestamp(str(int(NOW.timestamp()) + 50), beijing_now, tolerance=timedelta(seconds=60))
    with pytest.raises(Forbidden):
        wechat.check_timestamp(str(int(NOW.timestamp()) + 61), beijing_now, tolerance=timedelta(seconds=60))


def test_given_naive_now_when_checking_timestamp_then_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        wechat.check_timestamp(TS, datetime(2025, 3, 1, 8, 0))


# --- safe mode: our own sealing ---------------------------------------------------------------------


def test_given_reply_when_sealed_then_envelope_signature_verifies_and_decrypts_back():
    plain = wechat.text_reply("oUser123", "gh_yancheng", "您的事故已受理", NOW)
    sealed = wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE)
    fields = _envelope(sealed)
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert (fields["TimeStamp"], fields["Nonce"]) == (TS, NONCE)
    assert fields["MsgSignature"] == wechat.message_signature(TOKEN, TS, NONCE, fields["Encrypt"])
    assert wechat.decrypt(sealed, fields["MsgSignature"], TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID) == plain
    assert wechat.decrypt(fields["Encrypt"], fields["MsgSignature"], TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID) == plain


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 43, 44, 45, 1000])
def test_given_any_length_when_sealed_then_round_trips(size):
    plain = ("云" * size).encode()[:size]
    sealed = wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE)
    fields = _envelope(sealed)
    assert wechat.decrypt(fields["Encrypt"], fields["MsgSignature"], TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID) == plain


def test_given_fixed_random_when_sealed_then_deterministic_and_random_otherwise():
    plain = b"<xml/>"
    fixed = [wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE, random16=b"0123456789abcdef") for _ in range(2)]
    assert fixed[0] == fixed[1]
    fresh = {wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE) for _ in range(3)}
    assert len(fresh) == 3
    with pytest.raises(ValueError, match="16 bytes"):
        wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE, random16=b"short")


def test_given_reply_sealed_by_us_then_wechatpy_reference_decrypts_it():
    wechatpy_crypto = importlib.import_module("wechatpy.crypto")
    plain = wechat.text_reply("oUser123", "gh_yancheng", "事故快处", NOW)
    sealed = wechat.encrypt_reply(plain, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE)
    fields = _envelope(sealed)
    reference = wechatpy_crypto.WeChatCrypto(TOKEN, CURRENT_KEY, APP_ID)
    assert reference.decrypt_message(sealed.decode(), fields["MsgSignature"], TS, NONCE).encode() == plain


def test_given_message_sealed_with_previous_key_when_current_listed_first_then_accepted():
    sealed = wechat.encrypt_reply(INBOUND_TEXT, TOKEN, PREVIOUS_KEY, APP_ID, TS, NONCE)
    fields = _envelope(sealed)
    args = (fields["MsgSignature"], TS, NONCE, TOKEN)
    assert wechat.decrypt(sealed, *args, [CURRENT_KEY, PREVIOUS_KEY], APP_ID) == INBOUND_TEXT
    with pytest.raises(Forbidden) as caught:
        wechat.decrypt(sealed, *args, [CURRENT_KEY], APP_ID)
    assert caught.value.field == "Encrypt"


def test_given_message_for_other_appid_when_decrypted_then_refused():
    sealed = wechat.encrypt_reply(INBOUND_TEXT, TOKEN, CURRENT_KEY, "wxotherapp0000000", TS, NONCE)
    fields = _envelope(sealed)
    with pytest.raises(Forbidden) as caught:
        wechat.decrypt(sealed, fields["MsgSignature"], TS, NONCE, TOKEN, [CURRENT_KEY, PREVIOUS_KEY], APP_ID)
    assert caught.value.field == "appid"


def test_given_signed_garbage_when_decrypted_then_refused_not_crashed():
    for encrypt, field in (("not base64!!", "Encrypt"), (base64.b64encode(b"x" * 15).decode(), "Encrypt")):
        signature = wechat.message_signature(TOKEN, TS, NONCE, encrypt)
        with pytest.raises((Forbidden, ValidationFailed)) as caught:
            wechat.decrypt(encrypt, signature, TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID)
        assert caught.value.field == field
    random_blocks = base64.b64encode(bytes(range(64))).decode()
    with pytest.raises(Forbidden):
        wechat.decrypt(random_blocks, wechat.message_signature(TOKEN, TS, NONCE, random_blocks), TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID)


def test_given_envelope_without_encrypt_when_decrypted_then_validation_failed():
    with pytest.raises(ValidationFailed) as caught:
        wechat.decrypt(b"<xml><ToUserName>gh</ToUserName></xml>", "0" * 40, TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID)
    assert caught.value.field == "Encrypt"


def test_given_malformed_key_configuration_then_programming_error():
    with pytest.raises(ValueError, match="EncodingAESKey"):
        wechat.decrypt("x", "0" * 40, TS, NONCE, TOKEN, ["short"], APP_ID)
    with pytest.raises(ValueError, match="at least one"):
        wechat.decrypt("x", "0" * 40, TS, NONCE, TOKEN, [], APP_ID)


# --- one push, end to end ---------------------------------------------------------------------------


def test_given_plain_push_when_opened_then_message_read():
    query = {"signature": wechat.url_signature(TOKEN, TS, NONCE), "timestamp": TS, "nonce": NONCE, "openid": "oUser123"}
    push = wechat.open_push(INBOUND_TEXT, query, token=TOKEN, aes_keys=[CURRENT_KEY], app_id=APP_ID, now=NOW)
    assert (push.encrypted, push.message.from_user, push.message.content) == (False, "oUser123", "进度")


def test_given_plain_push_with_bad_signature_or_stale_timestamp_when_opened_then_forbidden():
    query = {"signature": "0" * 40, "timestamp": TS, "nonce": NONCE}
    with pytest.raises(Forbidden) as caught:
        wechat.open_push(INBOUND_TEXT, query, token=TOKEN, aes_keys=[CURRENT_KEY], app_id=APP_ID, now=NOW)
    assert caught.value.field == "signature"
    stale = str(int(NOW.timestamp()) - 600)
    query = {"signature": wechat.url_signature(TOKEN, stale, NONCE), "timestamp": stale, "nonce": NONCE}
    with pytest.raises(Forbidden) as caught:
        wechat.open_push(INBOUND_TEXT, query, token=TOKEN, aes_keys=[CURRENT_KEY], app_id=APP_ID, now=NOW)
    assert caught.value.field == "timestamp"


def test_given_safe_mode_push_when_opened_then_decrypted_and_read():
    body = wechat.encrypt_reply(INBOUND_TEXT, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE)
    query = {
        "signature": wechat.url_signature(TOKEN, TS, NONCE),
        "timestamp": TS,
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": _envelope(body)["MsgSignature"],
    }
    push = wechat.open_push(body, query, token=TOKEN, aes_keys=[CURRENT_KEY], app_id=APP_ID, now=NOW)
    assert (push.encrypted, push.message.msg_id, push.timestamp, push.nonce) == (True, "1234567890123456", TS, NONCE)
    with pytest.raises(Forbidden) as caught:
        wechat.open_push(body, {**query, "msg_signature": "0" * 40}, token=TOKEN, aes_keys=[CURRENT_KEY], app_id=APP_ID, now=NOW)
    assert caught.value.field == "msg_signature"


# --- XML parsing ------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE xml [\n<!ENTITY lol "lol">\n'
    + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10))
    + b"]>\n<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
    + b"<MsgType>text</MsgType><Content>&lol9;</Content></xml>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>&xxe;</Content></xml>"
)
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://169.254.169.254/latest/meta-data/"><xml/>'


def test_given_plain_text_message_when_parsed_then_fields_read():
    message = wechat.parse_message(INBOUND_TEXT)
    assert message == wechat.Inbound("gh_yancheng", "oUser123", int(TS), "text", "进度", None, None, "1234567890123456")


def test_given_click_event_when_parsed_then_event_fields_read():
    xml = (
        b"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[oU]]></FromUserName><CreateTime>123</CreateTime>"
        b"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[REPORT_ACCIDENT]]></EventKey></xml>"
    )
    message = wechat.parse_message(xml)
    assert (message.msg_type, message.event, message.event_key, message.content, message.msg_id) == (
        "event",
        "CLICK",
        "REPORT_ACCIDENT",
        None,
        None,
    )


def test_given_billion_laughs_when_parsed_then_refused_fast():
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as caught:
        wechat.parse_message(BILLION_LAUGHS)
    assert time.perf_counter() - started < 0.5
    assert (caught.value.field, caught.value.message) == ("body", "XML with a DTD or entities is refused")


@pytest.mark.parametrize("xml", [EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["external-entity", "external-dtd"])
def test_given_external_entity_or_dtd_when_parsed_then_refused(xml):
    with pytest.raises(ValidationFailed) as caught:
        wechat.parse_message(xml)
    assert (caught.value.field, caught.value.message) == ("body", "XML with a DTD or entities is refused")


def test_given_bomb_inside_safe_mode_envelope_when_decrypted_then_refused_fast():
    started = time.perf_counter()
    with pytest.raises(ValidationFailed) as caught:
        wechat.decrypt(BILLION_LAUGHS, "0" * 40, TS, NONCE, TOKEN, [CURRENT_KEY], APP_ID)
    assert time.perf_counter() - started < 0.5
    assert caught.value.field == "body"


@pytest.mark.parametrize("xml", [b"", b"<xml>", b"not xml", b"<xml><a></b></xml>", b"<xml>&undefined;</xml>"])
def test_given_malformed_xml_when_parsed_then_validation_failed(xml):
    with pytest.raises(ValidationFailed) as caught:
        wechat.parse_message(xml)
    assert caught.value.field == "body"


def test_given_oversized_body_when_parsed_then_refused_before_parsing():
    big = b"<xml><Content>" + b"a" * (64 * 1024) + b"</Content></xml>"
    with pytest.raises(ValidationFailed, match="larger than"):
        wechat.parse_message(big)


def test_given_wrong_root_or_missing_field_when_parsed_then_field_named():
    with pytest.raises(ValidationFailed, match="root"):
        wechat.parse_message(b"<message/>")
    without_sender = INBOUND_TEXT.replace(b"<FromUserName><![CDATA[oUser123]]></FromUserName>", b"")
    with pytest.raises(ValidationFailed) as caught:
        wechat.parse_message(without_sender)
    assert caught.value.field == "FromUserName"
    with pytest.raises(ValidationFailed) as caught:
        wechat.parse_message(INBOUND_TEXT.replace(f"<CreateTime>{TS}".encode(), b"<CreateTime>soon"))
    assert caught.value.field == "CreateTime"


# --- passive replies --------------------------------------------------------------------------------


def test_given_text_reply_then_wechat_passive_reply_xml():
    root = ElementTree.fromstring(wechat.text_reply("oUser123", "gh_yancheng", "欢迎关注", NOW))
    assert [child.tag for child in root] == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"]
    assert [child.text for child in root] == ["oUser123", "gh_yancheng", TS, "text", "欢迎关注"]


def test_given_content_trying_to_break_cdata_when_replied_then_xml_intact():
    attack = "a]]></Content><MsgType><![CDATA[news]]></MsgType><Content><![CDATA[b]]>]]>"
    for reply in (
        wechat.text_reply("oUser123", "gh_yancheng", attack, NOW),
        wechat.news_reply("oUser123", "gh_yancheng", attack, attack, "https://h5.example.test/r?a=1&b=]]>", NOW),
    ):
        root = ElementTree.fromstring(reply)
        assert len(root.findall("MsgType")) == 1
        assert len(root.findall("Content")) <= 1
    text = ElementTree.fromstring(wechat.text_reply("oUser123", "gh_yancheng", attack, NOW))
    assert (text.findtext("MsgType"), text.findtext("Content")) == ("text", attack)


def test_given_characters_xml_cannot_hold_when_replied_then_dropped_and_xml_parses():
    root = ElementTree.fromstring(wechat.text_reply("oUser123", "gh", "a\x00b\x1bc\ufffed\n", NOW))
    assert root.findtext("Content") == "abcd\n"


def test_given_news_reply_then_one_article_with_link():
    url = "https://h5.example.test/report?channel=wechat&x=1"
    root = ElementTree.fromstring(wechat.news_reply("oUser123", "gh_yancheng", "事故快处", "拍照上传", url, NOW))
    assert (root.findtext("MsgType"), root.findtext("ArticleCount")) == ("news", "1")
    items = root.findall("Articles/item")
    assert len(items) == 1
    assert (items[0].findtext("Title"), items[0].findtext("Description"), items[0].findtext("Url")) == ("事故快处", "拍照上传", url)
    assert items[0].find("PicUrl") is None
    with_picture = ElementTree.fromstring(wechat.news_reply("o", "gh", "t", "d", url, NOW, pic_url="https://h5.example.test/p.png"))
    assert with_picture.findtext("Articles/item/PicUrl") == "https://h5.example.test/p.png"


def test_given_naive_now_when_replying_then_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        wechat.text_reply("o", "gh", "x", datetime(2025, 3, 1))


def test_given_module_imported_then_no_boto3_and_no_wechatpy():
    import subprocess
    import sys

    code = (
        "import sys, chalicelib.integrations.wechat, chalicelib.domain.wechat_dialogue;"
        "print(sorted({'boto3', 'wechatpy', 'cryptography'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert result.stdout.strip() == "[]"


def test_given_push_sealed_with_previous_key_when_opened_then_the_key_that_opened_it_is_named():
    sealed = wechat.encrypt_reply(INBOUND_TEXT, TOKEN, PREVIOUS_KEY, APP_ID, TS, NONCE)
    fields = _envelope(sealed)
    query = {"timestamp": TS, "nonce": NONCE, "encrypt_type": "aes", "msg_signature": fields["MsgSignature"]}
    opened = wechat.open_push(sealed, query, token=TOKEN, aes_keys=[CURRENT_KEY, PREVIOUS_KEY], app_id=APP_ID, now=NOW)
    assert opened.aes_key == PREVIOUS_KEY
    current = wechat.encrypt_reply(INBOUND_TEXT, TOKEN, CURRENT_KEY, APP_ID, TS, NONCE)
    query["msg_signature"] = _envelope(current)["MsgSignature"]
    reopened = wechat.open_push(current, query, token=TOKEN, aes_keys=[CURRENT_KEY, PREVIOUS_KEY], app_id=APP_ID, now=NOW)
    assert reopened.aes_key == CURRENT_KEY
