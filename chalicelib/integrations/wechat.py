"""The WeChat official account server protocol: signatures, safe-mode crypto, message XML.

What WeChat sends us and what we answer, and nothing else (the conversation itself is
`chalicelib.domain.wechat_dialogue`):

- URL verification (`GET`): `signature = sha1(sorted [token, timestamp, nonce])`; the
  endpoint echoes `echostr` unchanged when it verifies.
- Pushes (`POST`): plain XML signed like the URL, or, in safe mode (`encrypt_type=aes`),
  an `<Encrypt>` envelope signed with `msg_signature = sha1(sorted [token, timestamp,
  nonce, Encrypt])` and encrypted with AES-256-CBC (key = base64(EncodingAESKey + "="),
  IV = key[:16], PKCS#7 padding to 32 bytes) over `random(16) + len(4, big endian) + msg
  + appid`. The current and the previous EncodingAESKey are both accepted, in that order,
  so the key can be rotated in the WeChat console without dropping messages.
- Passive replies: text and single-article news XML, encrypted again in safe mode.

The crypto is ours, on `cryptography`, checked against Tencent's published example: the
`wechatpy.crypto` equivalent compares signatures with `!=`, draws the 16 random bytes
from `random`, does not check the padding or the length field, parses the envelope with
xmltodict and imports wechatpy's HTTP client on the way in. XML is parsed by defusedxml
with DTDs refused outright, so an entity bomb or an external entity stops at its
`<!DOCTYPE` before anything is expanded or fetched.

No boto3 and no clock here: the caller passes `now`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from chalicelib.domain.wechat_message import Inbound
from chalicelib.errors import Forbidden, ValidationFailed

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher

MAX_XML_BYTES = 64 * 1024
DEFAULT_TOLERANCE = timedelta(minutes=5)
PKCS7_BLOCK = 32  # WeChat pads to 32 bytes, not to the AES block of 16
_RANDOM_BYTES = 16
_LENGTH_BYTES = 4
_ENCODING_AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")
# Seconds since the epoch as plain ASCII digits: int() alone would also take "+1", " 1", "1_0"
# and other scripts' digits.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Characters XML 1.0 does not allow anywhere, CDATA included.
_NOT_XML_CHAR = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- signatures and time ---------------------------------------------------------------------


def _sha1_of_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's protocol


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def url_signature(token: str, timestamp: str, nonce: str) -> str:
    """The `signature` WeChat puts on the server URL: sha1 over the sorted token, timestamp and nonce."""
    return _sha1_of_sorted(token, timestamp, nonce)


def check_url_signature(token: str, timestamp: str, nonce: str, signature: str) -> None:
    if not _same(url_signature(token, timestamp, nonce), signature.lower()):
        raise Forbidden("signature does not match", field="signature")


def message_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """The safe-mode `msg_signature`: sha1 over the sorted token, timestamp, nonce and Encrypt."""
    return _sha1_of_sorted(token, timestamp, nonce, encrypt)


def check_timestamp(timestamp: str, now: datetime, tolerance: timedelta = DEFAULT_TOLERANCE) -> None:
    """Refuse a push whose timestamp is not whole seconds or is more than `tolerance` from `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not _TIMESTAMP.fullmatch(timestamp or ""):
        raise Forbidden("timestamp is not a whole number of seconds", field="timestamp")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > tolerance.total_seconds():
        raise Forbidden(f"timestamp is {int(skew)} s away from now", field="timestamp")


# --- inbound XML --------------------------------------------------------------------------------


def _parse_xml(data: bytes | str) -> Element:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise ValidationFailed(f"XML larger than {MAX_XML_BYTES} bytes is refused", field="body")
    try:
        root = SafeElementTree.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ValidationFailed("XML with a DTD or entities is refused", field="body") from exc
    except ParseError as exc:
        raise ValidationFailed(f"malformed XML: {exc}", field="body") from exc
    if root.tag != "xml":
        raise ValidationFailed("the root element must be <xml>", field="body")
    return root


def _text(root: Element, name: str) -> str | None:
    element = root.find(name)
    if element is None:
        return None
    return element.text or ""


def _required(root: Element, name: str) -> str:
    value = _text(root, name)
    if not value:
        raise ValidationFailed(f"<{name}> is missing", field=name)
    return value


def parse_message(xml: bytes) -> Inbound:
    """A pushed message or event, from its plain XML (after decryption in safe mode)."""
    root = _parse_xml(xml)
    create_time = _required(root, "CreateTime").strip()
    if not _TIMESTAMP.fullmatch(create_time):
        raise ValidationFailed("<CreateTime> is not a whole number of seconds", field="CreateTime")
    return Inbound(
        to_user=_required(root, "ToUserName"),
        from_user=_required(root, "FromUserName"),
        create_time=int(create_time),
        msg_type=_required(root, "MsgType"),
        content=_text(root, "Content"),
        event=_text(root, "Event"),
        event_key=_text(root, "EventKey"),
        msg_id=_text(root, "MsgId"),
    )


# --- safe mode ----------------------------------------------------------------------------------


def _aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from a 43-character EncodingAESKey (a configuration error if malformed)."""
    if not _ENCODING_AES_KEY.fullmatch(encoding_aes_key):
        raise ValueError("an EncodingAESKey is 43 characters of base64")
    return base64.b64decode(encoding_aes_key + "=", validate=True)


def _cipher(key: bytes) -> Cipher:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # lazily, for cold starts

    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def _pad(data: bytes) -> bytes:
    count = PKCS7_BLOCK - len(data) % PKCS7_BLOCK
    return data + bytes([count]) * count


def _open(ciphertext: bytes, key: bytes) -> tuple[bytes, bytes] | None:
    """(message, appid) if the ciphertext decrypts under `key` to a well-formed layout, else None."""
    decryptor = _cipher(key).decryptor()
    plain = decryptor.update(ciphertext) + decryptor.finalize()
    count = plain[-1]
    if not 1 <= count <= PKCS7_BLOCK or plain[-count:] != bytes([count]) * count:
        return None
    body = plain[_RANDOM_BYTES:-count]
    if len(body) < _LENGTH_BYTES:
        return None
    length = int.from_bytes(body[:_LENGTH_BYTES], "big")
    if length > len(body) - _LENGTH_BYTES:
        return None
    return body[_LENGTH_BYTES : _LENGTH_BYTES + length], body[_LENGTH_BYTES + length :]


def encrypted_field(envelope: bytes | str) -> str:
    """The `<Encrypt>` text of a safe-mode envelope."""
    value = _text(_parse_xml(envelope), "Encrypt")
    if not value:
        raise ValidationFailed("<Encrypt> is missing", field="Encrypt")
    return value.strip()


def decrypt(*args: Any, **kwargs: Any) -> bytes:
    """The inner plain XML of a safe-mode push: `decrypt_with_key` without the key."""
    return decrypt_with_key(*args, **kwargs)[0]


def decrypt_with_key(
    encrypted_xml_or_field: bytes | str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
    token: str,
    aes_keys: Sequence[str],
    app_id: str,
) -> tuple[bytes, str]:
    """The inner plain XML of a safe-mode push, and the EncodingAESKey that opened it.

    `encrypted_xml_or_field` is the whole `<xml><Encrypt>…</Encrypt></xml>` envelope or the
    Encrypt text alone. The signature is checked before anything is decrypted; the keys are
    tried in the order given (current, then previous); the appid inside must be ours. The reply
    must be sealed with the key returned: while a key is rotated, WeChat reads a reply only
    under the key it sealed the push with.
    """
    if not aes_keys:
        raise ValueError("at least one EncodingAESKey is needed")
    keys = [(_aes_key(k), k) for k in aes_keys]
    given = encrypted_xml_or_field
    is_xml = given.lstrip().startswith(b"<") if isinstance(given, bytes) else given.lstrip().startswith("<")
    if is_xml:
        encrypt = encrypted_field(given)
    else:
        encrypt = (given.decode("ascii", "replace") if isinstance(given, bytes) else given).strip()

    if not _same(message_signature(token, timestamp, nonce, encrypt), (msg_signature or "").lower()):
        raise Forbidden("msg_signature does not match", field="msg_signature")

    try:
        ciphertext = base64.b64decode(encrypt, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed("Encrypt is not base64", field="Encrypt") from exc
    if not ciphertext or len(ciphertext) % 16:
        raise ValidationFailed("Encrypt is not whole AES blocks", field="Encrypt")

    other_appid = False
    for key, encoding_aes_key in keys:
        opened = _open(ciphertext, key)
        if opened is None:
            continue
        message, appid = opened
        if hmac.compare_digest(appid, app_id.encode("utf-8")):
            return message, encoding_aes_key
        other_appid = True
    if other_appid:
        raise Forbidden("the message is for another appid", field="appid")
    raise Forbidden("the message does not decrypt with any configured EncodingAESKey", field="Encrypt")


def _cdata(value: str) -> str:
    """`value` as CDATA that stays one text node whatever it holds (`]]>` is split across sections)."""
    clean = _NOT_XML_CHAR.sub("", value)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def encrypt_reply(
    plain_xml: bytes,
    token: str,
    aes_key: str,
    app_id: str,
    timestamp: str,
    nonce: str,
    random16: bytes | None = None,
) -> bytes:
    """A passive reply sealed for safe mode: the Encrypt envelope with its MsgSignature."""
    if not _TIMESTAMP.fullmatch(timestamp):
        raise ValueError("timestamp must be a whole number of seconds")
    prefix = secrets.token_bytes(_RANDOM_BYTES) if random16 is None else random16
    if len(prefix) != _RANDOM_BYTES:
        raise ValueError("random16 must be 16 bytes")
    layout = prefix + len(plain_xml).to_bytes(_LENGTH_BYTES, "big") + plain_xml + app_id.encode("utf-8")
    encryptor = _cipher(_aes_key(aes_key)).encryptor()
    encrypt = base64.b64encode(encryptor.update(_pad(layout)) + encryptor.finalize()).decode("ascii")
    signature = message_signature(token, timestamp, nonce, encrypt)
    return (
        f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt><MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_cdata(nonce)}</Nonce></xml>"
    ).encode()


# --- one push, end to end -------------------------------------------------------------------------


@dataclass(frozen=True)
class Push:
    message: Inbound
    encrypted: bool
    timestamp: str
    nonce: str
    aes_key: str | None = None  # safe mode: the EncodingAESKey that opened the push, to seal the reply with


def open_push(
    body: bytes,
    query: Mapping[str, str],
    *,
    token: str,
    aes_keys: Sequence[str],
    app_id: str,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> Push:
    """Check and read one `POST` from WeChat, plain or safe mode, from its raw body and query string."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    check_timestamp(timestamp, now, tolerance)
    if query.get("encrypt_type", "raw").lower() == "aes":
        inner, aes_key = decrypt_with_key(body, query.get("msg_signature", ""), timestamp, nonce, token, aes_keys, app_id)
        return Push(parse_message(inner), True, timestamp, nonce, aes_key)
    check_url_signature(token, timestamp, nonce, query.get("signature", ""))
    return Push(parse_message(body), False, timestamp, nonce)


# --- passive replies ----------------------------------------------------------------------------


def _create_time(now: datetime) -> int:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(now.timestamp())


def _head(to_user: str, from_user: str, now: datetime, msg_type: str) -> str:
    return (
        f"<ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{_create_time(now)}</CreateTime><MsgType>{_cdata(msg_type)}</MsgType>"
    )


def text_reply(to_user: str, from_user: str, content: str, now: datetime) -> bytes:
    """A passive text reply. `to_user` is the user's openid, `from_user` our account (the push's ToUserName)."""
    return f"<xml>{_head(to_user, from_user, now, 'text')}<Content>{_cdata(content)}</Content></xml>".encode()


def news_reply(to_user: str, from_user: str, title: str, description: str, url: str, now: datetime, pic_url: str | None = None) -> bytes:
    """A passive news reply with one article."""
    picture = f"<PicUrl>{_cdata(pic_url)}</PicUrl>" if pic_url else ""
    item = f"<item><Title>{_cdata(title)}</Title><Description>{_cdata(description)}</Description>{picture}<Url>{_cdata(url)}</Url></item>"
    return f"<xml>{_head(to_user, from_user, now, 'news')}<ArticleCount>1</ArticleCount><Articles>{item}</Articles></xml>".encode()
