"""Personal identifiers as written in China: identity documents, names, mobile numbers, plates.

Pure functions, no I/O. Each ``normalise_*`` returns the canonical form or raises
``ValueError`` with a short English reason, which becomes the field's error message
when used as a pydantic validator.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.text import clean_text

# GB 11643-1999 check character: ISO 7064 MOD 11-2.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_EARLIEST_BIRTH = date(1900, 1, 1)

_ASCII_DIGITS = frozenset("0123456789")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-]")

# Province (and municipality / autonomous region) abbreviations on plates.
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SPECIAL_SUFFIXES = "学警挂港澳领试超"
_PLATE_SEPARATORS = re.compile(r"[\s·•・]")
_PLATE_SERIAL_CHARS = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")  # no I, no O
_NEW_ENERGY_SMALL = re.compile(r"[DF][A-HJ-NP-Z0-9][0-9]{4}")
_NEW_ENERGY_LARGE = re.compile(r"[0-9]{5}[DF]")
_EMBASSY_PLATE = re.compile(r"使[0-9]{6}")  # GA 36: 使 + embassy code (3 digits) + serial (3 digits)
_EMERGENCY_SUFFIX = "应急"  # 应急救援专用号牌 (2018): province, authority letter, 4 serial characters, 应急
# Non-motor (e-bike) plates are issued by each province or city in its own form: a province or city
# name (1-4 Chinese characters) and 5-8 letters or digits, at least one a digit.
_EBIKE_PLATE = re.compile(r"[\u4e00-\u9fff]{1,4}[A-Z0-9]{5,8}")


class IdType(StrEnum):
    """Identity documents a party may show (Order 146 Art.21/24 record "身份证号" or the licence number)."""

    RESIDENT_ID = "RESIDENT_ID"  # 居民身份证, GB 11643
    PASSPORT = "PASSPORT"  # any country's passport
    HK_MACAO_PERMIT = "HK_MACAO_PERMIT"  # 港澳居民来往内地通行证: H or M and 8 digits (10 on older cards)
    TAIWAN_PERMIT = "TAIWAN_PERMIT"  # 台湾居民来往大陆通行证: 8 digits (10 on older cards)
    HMT_RESIDENCE_PERMIT = "HMT_RESIDENCE_PERMIT"  # 港澳台居民居住证: GB 11643 form, region 810000/820000/830000


_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_HK_MACAO_PERMIT = re.compile(r"[HM][0-9]{8}([0-9]{2})?")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}([0-9]{2})?")
_RESIDENCE_PERMIT_REGIONS = ("810000", "820000", "830000")


def _china_today() -> date:
    return datetime.now(CHINA).date()


def _is_ascii_digits(value: str) -> bool:
    return bool(value) and all(char in _ASCII_DIGITS for char in value)


def id_number_checksum(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValueError("must be 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: str, *, today: date | None = None) -> str:
    """Validate a PRC resident ID number (GB 11643-1999) and return it with an uppercase ``X``.

    ``today`` (China Standard Time by default) bounds the birth date; tests may pin it.
    """
    if not isinstance(value, str):
        raise TypeError("must be a string")
    candidate = value.strip().upper()
    if len(candidate) != 18:
        raise ValueError("must be 18 characters")
    body, check = candidate[:17], candidate[17]
    if not _is_ascii_digits(body):
        raise ValueError("first 17 characters must be digits")
    if check not in _ASCII_DIGITS and check != "X":
        raise ValueError("check character must be a digit or X")

    year, month, day = int(body[6:10]), int(body[10:12]), int(body[12:14])
    try:
        birth = date(year, month, day)
    except ValueError:
        raise ValueError("birth date is not a real date") from None
    if birth < _ID_EARLIEST_BIRTH:
        raise ValueError("birth date is before 1900")
    if birth > (today or _china_today()):
        raise ValueError("birth date is in the future")

    if id_number_checksum(body) != check:
        raise ValueError("checksum does not match")
    return candidate


def normalise_identity(id_type: IdType, value: str, *, today: date | None = None) -> str:
    """Validate an identity document number of `id_type` and return its canonical (uppercase) form."""
    if not isinstance(value, str):
        raise TypeError("must be a string")
    if id_type is IdType.RESIDENT_ID:
        return normalise_id_number(value, today=today)
    candidate = re.sub(r"[\s\-]", "", value).upper()
    if id_type is IdType.HMT_RESIDENCE_PERMIT:
        if not candidate.startswith(_RESIDENCE_PERMIT_REGIONS):
            raise ValueError("a Hong Kong, Macao or Taiwan residence permit number starts 810000, 820000 or 830000")
        return normalise_id_number(candidate, today=today)
    rules = {
        IdType.PASSPORT: (_PASSPORT, "a passport number is 5-17 letters or digits"),
        IdType.HK_MACAO_PERMIT: (_HK_MACAO_PERMIT, "a Hong Kong/Macao permit number is H or M and 8 or 10 digits"),
        IdType.TAIWAN_PERMIT: (_TAIWAN_PERMIT, "a Taiwan permit number is 8 or 10 digits"),
    }
    pattern, reason = rules[id_type]
    if not pattern.fullmatch(candidate) or not any(char in _ASCII_DIGITS for char in candidate):
        raise ValueError(reason)
    return candidate


def normalise_name(value: str) -> str:
    """A person's name as it will be printed: NFC, stripped, one line, with at least one letter.

    Names of only zero-width, control or punctuation characters, and names carrying bidi controls,
    are refused (they would print as nothing, or reorder the text around them).
    """
    name = clean_text(value)
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise ValueError("must contain letters")
    return name


def normalise_phone(value: str) -> str:
    """Validate a mainland China mobile number and return its 11 digits.

    Spaces and hyphens are ignored, as is a leading ``+86``, ``0086`` or ``86``.
    """
    if not isinstance(value, str):
        raise TypeError("must be a string")
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if any(char not in _ASCII_DIGITS for char in digits):
        raise ValueError("must contain only digits")
    if len(digits) != 11:
        raise ValueError("must be 11 digits")
    if not _MOBILE.fullmatch(digits):
        raise ValueError("must be a mainland mobile number starting 13-19")
    return digits


def normalise_plate(value: str) -> str:
    """Validate a Chinese motor-vehicle plate (GA 36) and return it uppercase, no separators.

    Ordinary plates: province, authority letter, 5 serial characters (no I or O; the last
    may be 学/警/挂/港/澳/领/试/超). New-energy plates: province, authority letter, 6 serial
    characters, D or F first (small vehicles: D/F, a letter or digit, 4 digits) or last
    (large vehicles: 5 digits, D/F). Embassy plates: 使 and 6 digits. Emergency rescue plates:
    province, authority letter, 4 serial characters, 应急. Examples: ``苏J12345``, ``苏JD12345``,
    ``苏J12345D``, ``使014578``, ``苏J1234应急``.
    """
    if not isinstance(value, str):
        raise TypeError("must be a string")
    plate = _PLATE_SEPARATORS.sub("", value).upper()
    if _EMBASSY_PLATE.fullmatch(plate):
        return plate
    if plate.endswith(_EMERGENCY_SUFFIX) and len(plate) == 8:
        _ordinary_prefix(plate[:2], plate[2:6])
        if any(char not in _PLATE_SERIAL_CHARS for char in plate[2:6]):
            raise ValueError("serial must be letters or digits")
        return plate
    if len(plate) not in (7, 8):
        raise ValueError("must be 7 or 8 characters")
    serial = plate[2:]
    _ordinary_prefix(plate[:2], serial)

    if len(serial) == 5:
        head, last = serial[:4], serial[4]
        if any(char not in _PLATE_SERIAL_CHARS for char in head) or (
            last not in _PLATE_SERIAL_CHARS and last not in PLATE_SPECIAL_SUFFIXES
        ):
            raise ValueError("serial must be letters or digits")
        return plate

    if any(char not in _PLATE_SERIAL_CHARS for char in serial):
        raise ValueError("serial must be letters or digits")
    if not (_NEW_ENERGY_SMALL.fullmatch(serial) or _NEW_ENERGY_LARGE.fullmatch(serial)):
        raise ValueError("new-energy plate must have D or F first or last")
    return plate


def _ordinary_prefix(prefix: str, serial: str) -> None:
    province, authority = prefix[0], prefix[1]
    if province not in PLATE_PROVINCES:
        raise ValueError("unknown province abbreviation")
    if not ("A" <= authority <= "Z"):
        raise ValueError("issuing authority must be a letter A-Z")
    if "I" in serial or "O" in serial:
        raise ValueError("letters I and O are not used on plates")


def is_motor_plate(plate: str) -> bool:
    try:
        normalise_plate(plate)
    except ValueError:
        return False
    return True


def normalise_any_plate(value: str) -> str:
    """A motor-vehicle plate (see `normalise_plate`) or a non-motor (e-bike) plate in its local form.

    Which one a party may carry depends on the party's kind, checked where the kind is known.
    """
    try:
        return normalise_plate(value)
    except ValueError as motor_error:
        plate = _PLATE_SEPARATORS.sub("", value).upper()
        if _EBIKE_PLATE.fullmatch(plate) and any(char in _ASCII_DIGITS for char in plate):
            return plate
        raise motor_error from None
