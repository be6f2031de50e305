"""Masking of personal data (chalicelib.domain.masking)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.identity import id_number_checksum
from chalicelib.domain.masking import (
    mask_id_number,
    mask_name,
    mask_phone,
    mask_plate,
    masker_for_key,
    scrub,
    scrub_text,
)

ID_NUMBER = "320902199001011234"
PHONE = "13812345678"
PLATE = "苏J12345"


# --- maskers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("阿卜杜·买买提", "阿******"),
        ("John Smith", "J*********"),
        (" 李四 ", "李*"),
        ("王", "*"),
        ("", ""),
    ],
)
def test_given_a_name_when_masked_then_only_first_character_kept(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("025-84561234", "025****1234"),
        ("110", "***"),
        ("", "***"),
    ],
)
def test_given_a_phone_when_masked_then_first_3_and_last_4_kept(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("320902199001011234", "320***********1234"),
        ("11010519491231002x", "110***********002X"),
        ("110105491231002", "110********1002"),
        ("12345", "***"),
    ],
)
def test_given_an_id_number_when_masked_then_first_3_and_last_4_kept(id_number: str, masked: str) -> None:
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    ("plate", "masked"),
    [
        ("苏J12345", "苏J1***5"),
        ("苏J·12345", "苏J1***5"),
        ("苏jd12345", "苏JD****5"),
        ("苏A1234学", "苏A1***学"),
        ("苏J1", "***"),
    ],
)
def test_given_a_plate_when_masked_then_first_3_and_last_1_kept(plate: str, masked: str) -> None:
    assert mask_plate(plate) == masked


# --- scrub_text ----------------------------------------------------------------------


def test_given_a_sentence_with_an_id_a_phone_and_a_plate_when_scrubbed_then_all_masked() -> None:
    text = f"当事人身份证{ID_NUMBER}，电话{PHONE}，驾驶{PLATE}与苏JD12345相撞"

    scrubbed = scrub_text(text)

    assert scrubbed == "当事人身份证320***********1234，电话138****5678，驾驶苏J1***5与苏JD****5相撞"
    for raw in (ID_NUMBER, PHONE, PLATE, "苏JD12345"):
        assert raw not in scrubbed


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call +86 138 1234 5678 now", "call 138****5678 now"),
        ("call 0086-138-1234-5678", "call 138****5678"),
        ("call 8613812345678", "call 138****5678"),
        ("tel:13812345678;", "tel:138****5678;"),
        ("phone13812345678", "phone138****5678"),
        ("id 11010519491231002x.", "id 110***********002X."),
        ("plate 苏 J·12345 parked", "plate 苏J1***5 parked"),
        ("plate 苏j12345", "plate 苏J1***5"),
        ("mistyped 苏JO2345", "mistyped 苏JO***5"),
    ],
)
def test_given_personal_data_in_various_forms_when_scrubbed_then_masked(text: str, masked: str) -> None:
    assert scrub_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "案件 YC250101K3M9Q2TZ 已受理",
        "account 123456789012 region cn-north-1",
        "order 13812345678901 is not a phone",
        "created 新Lambda version 12",
        "timestamp 2025-06-01T08:00:00.123+08:00",
        "request 1a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d",
        "",
    ],
)
def test_given_text_without_personal_data_when_scrubbed_then_unchanged(text: str) -> None:
    assert scrub_text(text) == text


_surroundings = st.text(alphabet="交通事故在路口 ,.:;()abcXYZ\n", max_size=12)
_phones = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
_id_numbers = st.text(alphabet="0123456789", min_size=17, max_size=17).map(lambda first17: first17 + id_number_checksum(first17))
_plates = st.builds(
    lambda province, authority, serial: province + authority + serial,
    st.sampled_from("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"),
    st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ"),
    st.text(alphabet="0123456789", min_size=5, max_size=6),
)


@given(before=_surroundings, secret=st.one_of(_phones, _id_numbers, _plates), after=_surroundings)
def test_property_given_personal_data_anywhere_in_text_when_scrubbed_then_it_is_gone(before: str, secret: str, after: str) -> None:
    scrubbed = scrub_text(before + secret + after)

    assert secret not in scrubbed
    assert "*" in scrubbed


# --- scrub ---------------------------------------------------------------------------


def test_given_nested_dicts_when_scrubbed_then_masked_by_key_and_by_content() -> None:
    event = {
        "caseId": "YC250101K3M9Q2TZ",
        "parties": [
            {
                "name": "张三",
                "idNumber": ID_NUMBER,
                "phone": PHONE,
                "plate": PLATE,
                "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                "vehicle": {"licensePlate": "苏JD12345", "colour": "white"},
            },
            {
                "fullName": "欧阳娜娜",
                "id_number": "11010519491231002X",
                "Mobile": 13912345678,
                "idCard": "11010519491231002X",
                "note": f"她的备用电话是 {PHONE}",
            },
        ],
        "template": "SIMPLE_PROCEDURE",
        "count": 2,
        "reviewed": True,
        "location": None,
    }
    original = copy.deepcopy(event)

    scrubbed = scrub(event)

    assert scrubbed == {
        "caseId": "YC250101K3M9Q2TZ",
        "parties": [
            {
                "name": "张*",
                "idNumber": "320***********1234",
                "phone": "138****5678",
                "plate": "苏J1***5",
                "openid": "***",
                "vehicle": {"licensePlate": "苏JD****5", "colour": "white"},
            },
            {
                "fullName": "欧***",
                "id_number": "110***********002X",
                "Mobile": "139****5678",
                "idCard": "110***********002X",
                "note": "她的备用电话是 138****5678",
            },
        ],
        "template": "SIMPLE_PROCEDURE",
        "count": 2,
        "reviewed": True,
        "location": None,
    }
    assert event == original


def test_given_lists_tuples_and_odd_values_under_sensitive_keys_when_scrubbed_then_still_masked() -> None:
    scrubbed = scrub(
        {
            "phones": [PHONE, "13912345678"],
            "name": ["张三", "李四"],
            "driverName": None,
            "passengerName": object(),
            "unionid": 12345,
            "pair": (PLATE, "ok"),
        }
    )

    assert scrubbed == {
        "phones": ["138****5678", "139****5678"],
        "name": ["张*", "李*"],
        "driverName": None,
        "passengerName": "***",
        "unionid": "***",
        "pair": ("苏J1***5", "ok"),
    }


def test_given_personal_data_as_a_dict_key_when_scrubbed_then_the_key_is_masked() -> None:
    assert scrub({PHONE: "called twice"}) == {"138****5678": "called twice"}


@pytest.mark.parametrize(
    ("key", "masker"),
    [
        ("name", mask_name),
        ("Name", mask_name),
        ("fullName", mask_name),
        ("full_name", mask_name),
        ("partyName", mask_name),
        ("phone", mask_phone),
        ("PHONE", mask_phone),
        ("mobile", mask_phone),
        ("reporter_phone", mask_phone),
        ("phoneNumber", mask_phone),
        ("idNumber", mask_id_number),
        ("id_number", mask_id_number),
        ("ID-Number", mask_id_number),
        ("idCard", mask_id_number),
        ("plate", mask_plate),
        ("licensePlate", mask_plate),
        ("plate_number", mask_plate),
    ],
)
def test_given_a_sensitive_key_when_looked_up_then_its_masker(key: str, masker: object) -> None:
    assert masker_for_key(key) is masker


@pytest.mark.parametrize("key", ["openid", "openId", "unionid", "password", "token", "homeAddress"])
def test_given_an_identifier_key_without_a_specific_masker_when_scrubbed_then_opaque(key: str) -> None:
    assert scrub({key: "anything at all"}) == {key: "***"}


@pytest.mark.parametrize(
    "key",
    ["caseId", "template", "status", "functionName", "stateName", "message", "count", "id"],
)
def test_given_an_ordinary_key_when_looked_up_then_not_sensitive(key: str) -> None:
    assert masker_for_key(key) is None


@pytest.mark.parametrize("value", [None, 3, 2.5, True, b"13812345678"])
def test_given_a_non_container_non_string_when_scrubbed_then_returned_as_is(value: object) -> None:
    assert scrub(value) is value
