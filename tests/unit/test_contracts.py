"""Request contracts refuse what the API must refuse, naming the field."""

import pytest
from pydantic import ValidationError

from chalicelib.contracts.cases import CreateCase
from chalicelib.contracts.common import validation_failed
from chalicelib.contracts.evidence import RequestEvidence
from chalicelib.settings import Settings
from tests.factories import case_body, evidence_request, party, photo


def _field(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return validation_failed(caught.value).field


def test_given_valid_body_when_parsed_then_normalised():
    body = case_body(parties=[party(0, phone="+86 138-1234-5670", idNumber=party(0)["idNumber"].lower())])
    body["parties"][0]["vehicle"]["plate"] = "苏j·12345"
    parsed = CreateCase.model_validate(body)
    assert parsed.parties[0].phone == "13812345670"
    assert parsed.parties[0].vehicle.plate == "苏J12345"


def test_given_bad_fields_when_parsed_then_field_path_in_wire_names():
    assert _field(CreateCase, case_body(extra=1)) == "extra"
    assert _field(CreateCase, case_body(parties=[])) == "parties"
    assert _field(CreateCase, case_body(parties=[party(0, kind="BUS")])) == "parties[0].kind"
    no_screening = case_body()
    del no_screening["screening"]["intentional"]
    assert _field(CreateCase, no_screening) == "screening.intentional"
    pedestrian_with_car = case_body(parties=[party(0), party(1, kind="PEDESTRIAN")])
    assert _field(CreateCase, pedestrian_with_car) == "parties[1]"
    half_insured = case_body()
    del half_insured["parties"][0]["vehicle"]["policyNo"]
    assert _field(CreateCase, half_insured) == "parties[0].vehicle"


def test_given_uninsured_vehicle_when_parsed_then_accepted():
    body = case_body()
    del body["parties"][0]["vehicle"]["policyNo"]
    del body["parties"][0]["vehicle"]["insurerCode"]
    assert CreateCase.model_validate(body).parties[0].vehicle.insurer_code is None


def test_given_evidence_declaration_when_malformed_then_field_named():
    content = photo()
    assert _field(RequestEvidence, evidence_request(content, "scene")) == "kind"
    assert _field(RequestEvidence, evidence_request(content, "SCENE_PANORAMA", size=0)) == "size"
    assert _field(RequestEvidence, evidence_request(content, "SCENE_PANORAMA", lng=181)) == "lng"
    assert _field(RequestEvidence, evidence_request(content, "SCENE_PANORAMA", capturedAt="yesterday")) == "capturedAt"


def test_given_environment_when_settings_read_then_typed_and_bounded(monkeypatch):
    monkeypatch.setenv("PARTY_TOKEN_DAYS", "3")
    monkeypatch.setenv("TABLE_NAME", "t-1")
    settings = Settings.from_environment()
    assert (settings.party_token_days, settings.table_name) == (3, "t-1")
    monkeypatch.setenv("PARTY_TOKEN_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings.from_environment()
