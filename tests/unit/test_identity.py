"""Rules for resident ID numbers, mobile numbers and plates (chalicelib.domain.identity)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.identity import (
    id_number_checksum,
    normalise_id_number,
    normalise_phone,
    normalise_plate,
)

TODAY = date(2025, 6, 1)


def valid_id(region: str = "320902", birth: str = "19900101", sequence: str = "123") -> str:
    first17 = region + birth + sequence
    return first17 + id_number_checksum(first17)


# --- resident ID numbers -----------------------------------------------------------


def test_given_the_published_gb_example_when_checksummed_then_check_char_is_x() -> None:
    assert id_number_checksum("11010519491231002") == "X"
    assert normalise_id_number("11010519491231002X", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("32090219900101123", "6"),
        ("44030419800229001", "4"),
        ("11010119000101000", "6"),
    ],
)
def test_given_first_17_digits_when_checksummed_then_matches_iso_7064(first17: str, expected: str) -> None:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    by_hand = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]

    assert id_number_checksum(first17) == by_hand == expected


def test_given_valid_id_when_normalised_then_uppercase_x() -> None:
    assert normalise_id_number("11010519491231002x", today=TODAY) == "11010519491231002X"


def test_given_surrounding_whitespace_when_normalised_then_stripped() -> None:
    number = valid_id()

    assert normalise_id_number(f"  {number}\n", today=TODAY) == number


def test_given_a_birth_date_of_today_when_normalised_then_accepted() -> None:
    number = valid_id(birth=TODAY.strftime("%Y%m%d"))

    assert normalise_id_number(number, today=TODAY) == number


def test_given_no_pinned_today_when_a_real_id_is_normalised_then_accepted() -> None:
    assert normalise_id_number(valid_id()) == valid_id()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "must be 18 characters"),
        (valid_id()[:17], "must be 18 characters"),
        (valid_id() + "0", "must be 18 characters"),
        ("3209021990010112A4", "first 17 characters must be digits"),
        ("３２０９０２１９９００１０１１２３４"[:17] + "4", "first 17 characters must be digits"),
        (valid_id()[:17] + "Y", "check character must be a digit or X"),
        (valid_id(birth="19900230"), "birth date is not a real date"),
        (valid_id(birth="19901301"), "birth date is not a real date"),
        (valid_id(birth="19900100"), "birth date is not a real date"),
        (valid_id(birth="18991231"), "birth date is before 1900"),
        (valid_id(birth="20250602"), "birth date is in the future"),
        ("320902199001011235", "checksum does not match"),
    ],
)
def test_given_a_bad_id_when_normalised_then_value_error_says_why(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_id_number(value, today=TODAY)


@pytest.mark.parametrize("first17", ["", "1234567890123456", "1234567890123456X", "123456789012345678"])
def test_given_not_17_digits_when_checksummed_then_value_error(first17: str) -> None:
    with pytest.raises(ValueError, match="must be 17 digits"):
        id_number_checksum(first17)


_first17 = st.builds(
    lambda region, birth, sequence: region + birth.strftime("%Y%m%d") + sequence,
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
)


@given(first17=_first17)
def test_property_given_any_real_birth_date_when_check_char_computed_then_id_validates(first17: str) -> None:
    number = first17 + id_number_checksum(first17)

    assert normalise_id_number(number, today=TODAY) == number
    assert normalise_id_number(number.lower(), today=TODAY) == number


@given(first17=_first17, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_property_given_a_valid_id_when_any_one_character_changes_then_rejected(first17: str, position: int, data: st.DataObject) -> None:
    number = first17 + id_number_checksum(first17)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]

    with pytest.raises(ValueError):
        normalise_id_number(changed, today=TODAY)


# --- mobile numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "8613812345678",
        "0086 13812345678",
    ],
)
def test_given_a_mobile_number_in_any_usual_form_when_normalised_then_11_digits(value: str) -> None:
    assert normalise_phone(value) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_given_each_mobile_prefix_when_normalised_then_accepted(prefix: str) -> None:
    assert normalise_phone(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "must be 11 digits"),
        ("138123456789", "must be 11 digits"),
        ("1381234567", "must be 11 digits"),
        ("+85213812345678", "must contain only digits"),
        ("12812345678", "must be a mainland mobile number"),
        ("10812345678", "must be a mainland mobile number"),
        ("23812345678", "must be a mainland mobile number"),
        ("1381234567a", "must contain only digits"),
        ("(138)12345678", "must contain only digits"),
        ("１３８１２３４５６７８", "must contain only digits"),
    ],
)
def test_given_a_bad_mobile_number_when_normalised_then_value_error_says_why(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_phone(value)


# --- plates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("苏J12345", "苏J12345"),
        ("京A8C2K9", "京A8C2K9"),
        ("苏j12345", "苏J12345"),
        ("苏J·12345", "苏J12345"),
        ("苏J•12345", "苏J12345"),
        (" 苏 J 123 45 ", "苏J12345"),
        ("苏JD12345", "苏JD12345"),
        ("苏JFA1234", "苏JFA1234"),
        ("苏jd12345", "苏JD12345"),
        ("苏J12345D", "苏J12345D"),
        ("苏J12345F", "苏J12345F"),
        ("苏A1234学", "苏A1234学"),
        ("苏E1234挂", "苏E1234挂"),
        ("粤Z1234港", "粤Z1234港"),
        ("粤Z1234澳", "粤Z1234澳"),
        ("苏A1234警", "苏A1234警"),
        ("沪A1234领", "沪A1234领"),
        ("苏A1234试", "苏A1234试"),
        ("苏A1234超", "苏A1234超"),
    ],
)
def test_given_a_valid_plate_when_normalised_then_uppercase_without_separators(value: str, expected: str) -> None:
    assert normalise_plate(value) == expected


@pytest.mark.parametrize("province", list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"))
def test_given_every_province_when_normalised_then_accepted(province: str) -> None:
    assert normalise_plate(f"{province}A12345") == f"{province}A12345"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("哈J12345", "unknown province abbreviation"),
        ("AJ123456", "unknown province abbreviation"),
        ("苏112345", "issuing authority must be a letter"),
        ("苏J1234I", "letters I and O are not used"),
        ("苏JO2345", "letters I and O are not used"),
        ("苏Ji2345", "letters I and O are not used"),
        ("苏J1234", "must be 7 or 8 characters"),
        ("苏J1234567", "must be 7 or 8 characters"),
        ("苏J12学45", "serial must be letters or digits"),
        ("苏J1234中", "serial must be letters or digits"),
        ("苏JD1234学", "serial must be letters or digits"),
        ("苏J123456", "new-energy plate must have D or F first or last"),
        ("苏J12D345", "new-energy plate must have D or F first or last"),
        ("苏JDA123B", "new-energy plate must have D or F first or last"),
        ("苏JA1234D", "new-energy plate must have D or F first or last"),
    ],
)
def test_given_a_bad_plate_when_normalised_then_value_error_says_why(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_plate(value)


@pytest.mark.parametrize("normalise", [normalise_id_number, normalise_phone, normalise_plate])
def test_given_a_non_string_when_normalised_then_type_error(normalise: Callable[[str], str]) -> None:
    with pytest.raises(TypeError):
        normalise(13812345678)  # type: ignore[arg-type]


# --- identities beyond the resident ID, special plates, names ----------------------------------

from chalicelib.domain.identity import IdType, normalise_any_plate, normalise_identity, normalise_name  # noqa: E402


@pytest.mark.parametrize(
    ("id_type", "value", "expected"),
    [
        (IdType.PASSPORT, " g12345678 ", "G12345678"),
        (IdType.PASSPORT, "X1234567", "X1234567"),
        (IdType.HK_MACAO_PERMIT, "h12345678", "H12345678"),
        (IdType.HK_MACAO_PERMIT, "M1234567801", "M1234567801"),
        (IdType.TAIWAN_PERMIT, "01234567", "01234567"),
        (IdType.HMT_RESIDENCE_PERMIT, valid_id(region="820000"), valid_id(region="820000")),
        (IdType.HMT_RESIDENCE_PERMIT, valid_id(region="830000"), valid_id(region="830000")),
        (IdType.RESIDENT_ID, valid_id(), valid_id()),
    ],
)
def test_given_an_identity_document_when_normalised_then_canonical(id_type, value, expected) -> None:
    assert normalise_identity(id_type, value, today=TODAY) == expected


@pytest.mark.parametrize(
    ("id_type", "value", "reason"),
    [
        (IdType.PASSPORT, "ABCDEFGH", "passport"),
        (IdType.PASSPORT, "E12345678901234567", "passport"),
        (IdType.HK_MACAO_PERMIT, "H1234567", "Hong Kong"),
        (IdType.TAIWAN_PERMIT, "T1234567", "Taiwan"),
        (IdType.HMT_RESIDENCE_PERMIT, valid_id(), "starts 810000"),
        (IdType.HMT_RESIDENCE_PERMIT, valid_id(region="810000")[:-1] + "Z", "check character"),
    ],
)
def test_given_a_malformed_identity_document_when_normalised_then_value_error_says_why(id_type, value, reason) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_identity(id_type, value, today=TODAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("使014578", "使014578"), ("使·224·001", "使224001"), ("苏J1234应急", "苏J1234应急"), ("京A·0001应急", "京A0001应急")],
)
def test_given_an_embassy_or_emergency_plate_when_normalised_then_accepted(value: str, expected: str) -> None:
    assert normalise_plate(value) == expected


@pytest.mark.parametrize("value", ["使01457", "使0145789", "哈J1234应急", "苏J12O4应急"])
def test_given_a_malformed_embassy_or_emergency_plate_when_normalised_then_refused(value: str) -> None:
    with pytest.raises(ValueError):
        normalise_plate(value)


@pytest.mark.parametrize(("value", "expected"), [("盐城A12345", "盐城A12345"), ("苏J·123456", "苏J123456"), ("苏J12345", "苏J12345")])
def test_given_an_e_bike_or_motor_plate_when_normalised_as_any_plate_then_accepted(value: str, expected: str) -> None:
    assert normalise_any_plate(value) == expected


@pytest.mark.parametrize("value", ["盐城ABCDE", "盐城A1", "AB123456"])
def test_given_neither_plate_form_when_normalised_as_any_plate_then_the_motor_reason_is_given(value: str) -> None:
    with pytest.raises(ValueError):
        normalise_any_plate(value)


def test_given_names_when_normalised_then_nfc_stripped_and_refused_without_letters() -> None:
    assert normalise_name(" 欧阳娜娜 ") == "欧阳娜娜"
    assert normalise_name("Jose\u0301") == "José"
    for bad in ("\u200b", "\u202e张三", "张\u2069三", "\x07", "--"):
        with pytest.raises(ValueError):
            normalise_name(bad)
