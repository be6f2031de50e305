"""Claim amounts are whole fen and the insurer's payment time is a timestamp with its zone."""

import json

import pytest
from pydantic import ValidationError

from chalicelib.contracts.claims import InsurerEvent, ReportClaims
from chalicelib.contracts.common import validation_failed


def _event(**data):
    return {"type": "claim.paid", "timestamp": "2026-11-25T10:00:00+08:00", "data": {"claimId": "CL0001", **data}}


def _refused_field(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(body))
    return validation_failed(caught.value).field


@pytest.mark.parametrize("paid_at", ["yesterday", "2026-11-25T10:00:00", "2026-11-25", "", "2026-13-01T00:00:00Z"])
def test_given_paid_at_without_a_zoned_timestamp_when_parsed_then_refused(paid_at):
    assert _refused_field(InsurerEvent, _event(amount=100, paidAt=paid_at)) == "data.paidAt"


def test_given_zoned_paid_at_when_parsed_then_kept_as_iso_text():
    event = InsurerEvent.model_validate_json(json.dumps(_event(amount=100, paidAt="2026-11-25T02:00:00Z")))
    assert event.data.paid_at == "2026-11-25T02:00:00+00:00"


@pytest.mark.parametrize("amount", [True, "100", 100.0, 100.5])
def test_given_amount_not_a_json_integer_when_parsed_then_refused(amount):
    assert _refused_field(InsurerEvent, _event(amount=amount)) == "data.amount"
    assert _refused_field(InsurerEvent, {**_event(), "data": {"claimId": "CL0001", "items": [{"name": "门", "amount": amount}]}}) \
        == "data.items[0].amount"


@pytest.mark.parametrize("loss", [True, False, "100", 100.0])
def test_given_declared_loss_not_a_json_integer_when_parsed_then_refused(loss):
    assert _refused_field(ReportClaims, {"declaredLosses": {"P1": loss}}).startswith("declaredLosses")
