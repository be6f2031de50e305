"""Masking of personal data for logs and for views shown to other parties.

Pure functions. The ``mask_*`` functions never raise: a value that is not in the
expected shape is still masked, more coarsely (``***`` when it is too short to keep
anything). ``scrub_text`` finds ID numbers, mobile numbers and plates inside free text;
``scrub`` walks dicts and lists and masks by key, then by content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.domain.identity import (
    PLATE_PROVINCES,
    PLATE_SPECIAL_SUFFIXES,
    normalise_phone,
)

OPAQUE = "***"

_PLATE_SEPARATORS = re.compile(r"[\s·•・]")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")

# In free text, err on the side of masking: digit-only boundaries (a Chinese character
# or a letter next to the number does not protect it), no checksum or date checks, and
# plates with any letters (a mistyped I/O plate is still somebody's plate).
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}(?![0-9])")
_PLATE_IN_TEXT = re.compile(
    rf"[{PLATE_PROVINCES}][ ·•・]?[A-Za-z][ ·•・]?"
    rf"(?=[A-Za-z0-9]{{0,5}}[0-9])"  # at least one digit: keeps "新Lambda" readable
    rf"[A-Za-z0-9]{{4,5}}[A-Za-z0-9{PLATE_SPECIAL_SUFFIXES}]"
)


def _keep_ends(value: str, head: int, tail: int) -> str:
    hidden = len(value) - head - tail
    if hidden < 2:
        return OPAQUE
    return value[:head] + "*" * hidden + value[len(value) - tail :]


def mask_name(value: str) -> str:
    """Keep the first character: ``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``."""
    name = value.strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: ``13812345678`` -> ``138****5678``."""
    try:
        digits = normalise_phone(value)
    except ValueError:
        digits = _PHONE_SEPARATORS.sub("", value)
        if len(digits) < 11:
            return OPAQUE
    return _keep_ends(digits, 3, 4)


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters: ``320902199001011234`` -> ``320***********1234``."""
    id_number = value.strip().upper()
    if len(id_number) < 15:
        return OPAQUE
    return _keep_ends(id_number, 3, 4)


def mask_plate(value: str) -> str:
    """Keep the first 3 and last 1 characters: ``苏J12345`` -> ``苏J1***5``."""
    plate = _PLATE_SEPARATORS.sub("", value).upper()
    if len(plate) < 6:
        return OPAQUE
    return _keep_ends(plate, 3, 1)


def _mask_opaque(value: str) -> str:
    return OPAQUE


def scrub_text(text: str) -> str:
    """Mask every ID number, mobile number and plate found in ``text``."""
    text = _ID_IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)
    text = _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group()), text)
    return _PLATE_IN_TEXT.sub(lambda match: mask_plate(match.group()), text)


# Keys are compared lowercased, without "_" and "-": "idNumber", "id_number", "ID-Number".
_NAME_PREFIXES = (
    "",
    "full",
    "real",
    "first",
    "last",
    "given",
    "family",
    "sur",
    "nick",
    "display",
    "legal",
    "party",
    "driver",
    "owner",
    "contact",
    "insured",
    "patient",
    "reporter",
    "caller",
    "person",
    "victim",
    "witness",
    "holder",
    "applicant",
    "passenger",
    "pedestrian",
    "emergencycontact",
)
_NAME_KEYS = frozenset(prefix + "name" for prefix in _NAME_PREFIXES) | {
    "surname",
    "xm",
    "姓名",
}
_PHONE_SUFFIXES = (
    "phone",
    "mobile",
    "phonenumber",
    "mobilenumber",
    "phoneno",
    "mobileno",
    "telephone",
    "手机号",
    "电话",
)
_PHONE_KEYS = frozenset({"tel", "msisdn", "contactnumber"})
_ID_SUFFIXES = (
    "idnumber",
    "idcard",
    "idcardnumber",
    "idcardno",
    "identitynumber",
    "identitycard",
    "nationalid",
    "residentid",
    "citizenid",
    "sfzh",
    "身份证号",
)
_ID_KEYS = frozenset({"idno"})
_PLATE_SUFFIXES = ("plate", "platenumber", "plateno", "hphm", "车牌号")
_OPAQUE_SUFFIXES = (
    "openid",
    "unionid",
    "password",
    "secret",
    "authorization",
    "address",
    "email",
)
_OPAQUE_KEYS = frozenset({"token", "accesstoken", "refreshtoken", "partytoken", "cookie"})

Masker = Callable[[str], str]


def masker_for_key(key: str) -> Masker | None:
    """The masker for values stored under ``key``, or ``None`` if the key is not sensitive."""
    normal = key.lower().replace("_", "").replace("-", "")
    if normal in _NAME_KEYS:
        return mask_name
    if normal in _PHONE_KEYS or normal.endswith(_PHONE_SUFFIXES):
        return mask_phone
    if normal in _ID_KEYS or normal.endswith(_ID_SUFFIXES):
        return mask_id_number
    if normal.endswith(_PLATE_SUFFIXES) and not normal.endswith("template"):
        return mask_plate
    if normal in _OPAQUE_KEYS or normal.endswith(_OPAQUE_SUFFIXES):
        return _mask_opaque
    return None


def _mask_value(value: Any, masker: Masker) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, int):
        return masker(str(value))
    if isinstance(value, list | tuple):
        return [_mask_value(item, masker) for item in value]
    if isinstance(value, Mapping):
        return scrub(value)
    return OPAQUE


def scrub(obj: Any) -> Any:
    """A copy of ``obj`` safe to log.

    Dicts, lists and tuples are walked; a value under a sensitive key (name, phone,
    idNumber, plate, openid, ...) is masked by the masker for that key (``***`` for
    identifiers without a specific masker), every other string goes through
    ``scrub_text``. Other values are returned as they are.
    """
    if isinstance(obj, str):
        return scrub_text(obj)
    if isinstance(obj, Mapping):
        return {scrub_text(key) if isinstance(key, str) else key: scrub_item(key, value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [scrub(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(scrub(item) for item in obj)
    return obj


def scrub_item(key: Any, value: Any) -> Any:
    """``value`` made safe to log under ``key``: masked if the key is sensitive, else scrubbed."""
    masker = masker_for_key(key) if isinstance(key, str) else None
    return scrub(value) if masker is None else _mask_value(value, masker)
