"""Request bodies that used to poison a case or pass for what they are not are refused, naming the field."""

import json

import pytest
from pydantic import ValidationError

from chalicelib.contracts.cases import CreateCase
from chalicelib.contracts.common import validation_failed
from chalicelib.contracts.determination import Determine, ProposeAgreement, Sign
from chalicelib.contracts.evidence import RequestEvidence
from chalicelib.contracts.rescue import ReportArrival, RequestRescue, TruckPosition
from tests.factories import case_body, evidence_request, id_number, injury_case_body, party, photo


def _problem(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(body, ensure_ascii=False))
    failed = validation_failed(caught.value)
    return failed.field, failed.message


def _parsed(model, body):
    return model.model_validate_json(json.dumps(body, ensure_ascii=False))


# --- every screening answer is required -------------------------------------------------------


@pytest.mark.parametrize("answer", ["schoolBusOrOverloaded", "seriousSpeeding", "noInspectionOrInsuranceMark"])
def test_given_a_screening_answer_left_out_when_reported_then_refused_not_taken_as_no(answer):
    body = case_body()
    del body["screening"][answer]
    assert _problem(CreateCase, body)[0] == f"screening.{answer}"


# --- booleans are JSON booleans -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "1", None])
def test_given_a_non_boolean_accept_when_signing_then_refused(value):
    assert _problem(Sign, {"accept": value})[0] == "accept"


def test_given_non_boolean_answers_when_reporting_then_each_refused():
    body = case_body(injuries="no")
    assert _problem(CreateCase, body)[0] == "injuries"
    body = case_body(vehiclesMovable=1)
    assert _problem(CreateCase, body)[0] == "vehiclesMovable"
    body = case_body()
    body["screening"]["drinkOrDrugs"] = "false"
    assert _problem(CreateCase, body)[0] == "screening.drinkOrDrugs"
    body = injury_case_body()
    body["parties"][1]["consentsToRemote"] = "yes"
    assert _problem(CreateCase, body)[0] == "parties[1].consentsToRemote"
    assert _problem(TruckPosition, {"lat": 33.0, "lng": 120.0, "onDuty": "true"})[0] == "onDuty"


# --- injuries ----------------------------------------------------------------------------------


def test_given_an_unknown_severity_when_reported_then_refused():
    assert _problem(CreateCase, injury_case_body(severity="MINOR"))[0] == "injurySeverity"


def test_given_the_withdrawn_call_taker_boolean_when_reported_then_refused_with_what_replaces_it():
    field, message = _problem(CreateCase, case_body(injuryAgreedRemote=False))
    assert field == "injuryAgreedRemote"
    assert "injurySeverity" in message and "consentsToRemote" in message


def test_given_a_slight_injury_and_consents_when_parsed_then_kept():
    parsed = _parsed(CreateCase, injury_case_body(consents=(True, False)))
    assert parsed.injury_severity == "SLIGHT"
    assert [p.consents_to_remote for p in parsed.parties] == [True, False]


# --- accident time -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1_700_000_000, 1.5, True])
def test_given_a_bare_number_as_occurred_at_when_reported_then_refused(value):
    assert _problem(CreateCase, case_body(occurredAt=value))[0] == "occurredAt"


# --- coordinates -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["33.3", True, "NaN", None])
def test_given_a_coordinate_that_is_not_a_number_when_declared_then_refused(value):
    assert _problem(RequestEvidence, evidence_request(photo(), "SCENE_PANORAMA", lat=value))[0] == "lat"


def test_given_a_subnormal_or_overprecise_coordinate_when_declared_then_rounded_to_six_decimals():
    parsed = _parsed(RequestEvidence, evidence_request(photo(), "SCENE_PANORAMA", lat=1e-320, lng=120.15024999999))
    assert (parsed.lat, parsed.lng) == (0.0, 120.15025)
    assert str(parsed.lat) == "0.0"  # not -0.0 nor 1e-320: a number DynamoDB stores
    assert _parsed(ReportArrival, {"lat": -1e-320, "lng": 120}).lat == 0.0


def test_given_coordinates_out_of_range_anywhere_when_sent_then_refused():
    assert _problem(ReportArrival, {"lat": 91, "lng": 120})[0] == "lat"
    assert _problem(TruckPosition, {"lat": 33, "lng": -181})[0] == "lng"
    pickup = {"lat": 1e400, "lng": 120, "address": "盐城市亭湖区"}
    assert _problem(RequestRescue, {"pickup": pickup})[0] == "pickup.lat"
    body = case_body()
    body["location"]["lng"] = 180.5
    assert _problem(CreateCase, body)[0] == "location.lng"


# --- free text ---------------------------------------------------------------------------------


def test_given_a_megabyte_of_collision_parts_when_determining_then_refused_on_that_part():
    body = {"scenario": "REAR_END", "atFaultPartyId": "p1", "facts": "甲方追尾乙方。", "collisionParts": {"p1": "前" * 1_000_000}}
    field, message = _problem(Determine, body)
    assert field == "collisionParts.p1"
    assert "at most 40" in message


def test_given_too_many_collision_parts_or_long_party_ids_when_determining_then_refused():
    many = {f"p{i}": "车辆前部" for i in range(11)}
    assert _problem(Determine, {"scenario": "REAR_END", "facts": "甲方追尾乙方。", "collisionParts": many})[0] == "collisionParts"
    long_key = {"p" * 21: "车辆前部"}
    assert _problem(Determine, {"scenario": "REAR_END", "facts": "甲方追尾乙方。", "collisionParts": long_key})[0].startswith(
        "collisionParts"
    )


@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        (Determine, {"scenario": "REAR_END", "facts": "甲" * 2001}, "facts"),
        (ProposeAgreement, {"scenario": "REAR_END", "liabilities": {}, "facts": "甲" * 2001}, "facts"),
        (Sign, {"accept": False, "reason": "不" * 501}, "reason"),
        (RequestRescue, {"pickup": {"lat": 33, "lng": 120, "address": "地" * 201}}, "pickup.address"),
        (RequestRescue, {"pickup": {"lat": 33, "lng": 120, "address": "盐城"}, "notes": "注" * 501}, "notes"),
    ],
)
def test_given_free_text_over_its_limit_when_sent_then_refused(model, body, field):
    assert _problem(model, body)[0] == field


@pytest.mark.parametrize("text", ["\u202e追尾", "前\u2066部", "车辆\x00前部", "\u200b\u200c\u200d\ufeff"])
def test_given_text_with_bidi_controls_or_nothing_visible_when_sent_then_refused(text):
    body = {"scenario": "REAR_END", "facts": "甲方追尾乙方。", "collisionParts": {"p1": text}}
    assert _problem(Determine, body)[0] == "collisionParts.p1"


def test_given_facts_on_several_lines_when_sent_then_kept_in_nfc():
    parsed = _parsed(Determine, {"scenario": "REAR_END", "facts": " 甲方追尾。\n乙方停车。Cafe\u0301 "})
    assert parsed.facts == "甲方追尾。\n乙方停车。Café"


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("\u200b\u200b", "visible"),
        ("\x01\x02", "control"),
        ("张\u202e三", "bidirectional"),
        ("\u2067李四", "bidirectional"),
        ("张\n三", "control"),
        ("···", "letters"),
    ],
)
def test_given_a_name_that_would_print_as_nothing_or_reorder_text_when_reported_then_refused(name, reason):
    field, message = _problem(CreateCase, case_body(parties=[party(0, name=name), party(1)]))
    assert field == "parties[0].name"
    assert reason in message


def test_given_a_name_in_decomposed_form_when_reported_then_kept_in_nfc_and_stripped():
    parsed = _parsed(CreateCase, case_body(parties=[party(0, name=" Zoe\u0308 Müller "), party(1)]))
    assert parsed.parties[0].name == "Zoë Müller"


# --- identities and plates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "number", "stored"),
    [
        ("PASSPORT", "e12345678", "E12345678"),
        ("HK_MACAO_PERMIT", "H12345678", "H12345678"),
        ("TAIWAN_PERMIT", "12345678", "12345678"),
        ("HMT_RESIDENCE_PERMIT", id_number(region="810000"), id_number(region="810000")),
    ],
)
def test_given_an_identity_beyond_the_resident_id_when_reported_then_accepted(id_type, number, stored):
    parsed = _parsed(CreateCase, case_body(parties=[party(0, idType=id_type, idNumber=number), party(1)]))
    assert (parsed.parties[0].id_type, parsed.parties[0].id_number) == (id_type, stored)


def test_given_an_old_client_without_id_type_when_reported_then_a_resident_id_is_checked():
    assert _parsed(CreateCase, case_body()).parties[0].id_type == "RESIDENT_ID"
    assert _problem(CreateCase, case_body(parties=[party(0, idNumber="E12345678"), party(1)]))[0] == "parties[0].idNumber"


@pytest.mark.parametrize(
    ("id_type", "number"),
    [("PASSPORT", "E1"), ("HK_MACAO_PERMIT", "X12345678"), ("TAIWAN_PERMIT", "1234"),
     ("HMT_RESIDENCE_PERMIT", id_number()), ("HMT_RESIDENCE_PERMIT", id_number(region="810000")[:-1] + "Y")],
)
def test_given_a_malformed_identity_of_its_type_when_reported_then_refused_on_id_number(id_type, number):
    assert _problem(CreateCase, case_body(parties=[party(0, idType=id_type, idNumber=number), party(1)]))[0] == "parties[0].idNumber"


def test_given_an_e_bike_plate_when_on_a_non_motor_party_then_accepted_and_on_a_motor_party_refused():
    ebike = party(1, kind="NON_MOTOR", vehicle={"plate": "盐城A12345", "type": "电动自行车"})
    assert _parsed(CreateCase, case_body(parties=[party(0), ebike])).parties[1].vehicle.plate == "盐城A12345"
    car = party(1)
    car["vehicle"]["plate"] = "盐城A12345"
    field, message = _problem(CreateCase, case_body(parties=[party(0), car]))
    assert field == "parties[1]" and "vehicle.plate" in message
