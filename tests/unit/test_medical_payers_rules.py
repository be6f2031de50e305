"""The payers' pure rules and the insurers' medical event model."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.contracts.fund import ApproveFund, FundStepInput, MedicalEvent, RejectFund
from chalicelib.domain.medical_payers import VehicleFacts, answer_by, covered_vehicles, notify_by, recovery_of, remind_on, share_percents
from chalicelib.domain.workdays import Calendar


def event(event_type="medical.paid", **data):
    return {"type": event_type, "timestamp": "2026-11-29T10:00:00+08:00", "data": {"applicationId": "MA0001", "amount": 100, **data}}


def test_given_medical_events_then_each_parses_with_its_application_and_amount():
    for event_type in ("medical.guaranteed", "medical.paid"):
        parsed = MedicalEvent.model_validate(event(event_type))
        assert (parsed.type, parsed.data.application_id, parsed.data.amount) == (event_type, "MA0001", 100)
    assert MedicalEvent.model_validate(event(extra="ignored")).data.amount == 100  # senders may add fields


@pytest.mark.parametrize("amount", [1.5, 100.0, "100", True, -1, None])
def test_given_an_amount_not_whole_non_negative_fen_then_refused(amount):
    with pytest.raises(ValidationError):
        MedicalEvent.model_validate(event(amount=amount))


def test_given_an_unknown_type_or_no_application_then_refused():
    with pytest.raises(ValidationError):
        MedicalEvent.model_validate(event("medical.requested"))
    with pytest.raises(ValidationError):
        MedicalEvent.model_validate({"type": "medical.paid", "timestamp": "t", "data": {"amount": 1}})


def test_given_the_reviewers_bodies_then_amount_is_positive_fen_and_a_reason_is_required():
    assert ApproveFund.model_validate({}).amount is None
    for bad in ({"amount": 0}, {"amount": 1.5}, {"amount": "5"}, {"other": 1}):
        with pytest.raises(ValidationError):
            ApproveFund.model_validate(bad)
    with pytest.raises(ValidationError):
        RejectFund.model_validate({"reason": ""})
    step = FundStepInput.model_validate({"fundApplicationId": "FA1234", "caseId": "YC1234", "stage": "REVIEW", "extra": 1})
    assert (step.fund_application_id, step.task_token) == ("FA1234", None)


def test_given_liabilities_then_shares_by_liability_summing_to_100():
    assert share_percents({"A": "FULL", "B": "NONE"}) == {"A": 100, "B": 0}
    assert share_percents({"A": "PRIMARY", "B": "SECONDARY"}) == {"A": 70, "B": 30}
    assert share_percents({"A": "EQUAL", "B": "EQUAL", "C": "EQUAL"}) == {"A": 34, "B": 33, "C": 33}
    assert share_percents({"A": "NONE", "B": "NONE"}) == {"A": 50, "B": 50}


def test_given_an_injured_driver_then_their_own_vehicle_does_not_pay_for_them_and_fled_or_uninsured_are_flagged():
    facts = [VehicleFacts("A", "FULL", insured=True, fled=True), VehicleFacts("B", "NONE", insured=True),
             VehicleFacts("C", "NONE", insured=False)]
    covered = {v.vehicle_id: v for v in covered_vehicles(facts, own_vehicle_of={"B": "B", "SUN": None})}
    assert set(covered) == {"A", "B", "C"}
    assert (covered["A"].excludes, covered["B"].excludes, covered["C"].excludes) == (frozenset(), frozenset({"B"}), frozenset())
    assert (covered["A"].hit_and_run, covered["A"].insured, covered["A"].liable, covered["A"].share_percent) == (True, False, True, 100)
    assert (covered["C"].insured, covered["C"].liable) == (False, False)


@given(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 10**7), min_size=1), st.integers(0, 10**8))
def test_given_any_recovery_split_then_the_advance_is_shared_without_losing_a_fen(recover, advanced):
    shared = recovery_of(recover, advanced)
    if any(recover.values()) and advanced > 0:
        assert sum(shared.values()) == advanced
        assert set(shared) <= {k for k, v in recover.items() if v > 0}
    else:
        assert shared == {}


def test_given_a_weekend_then_the_fund_clock_counts_working_days():
    calendar = Calendar(holidays=frozenset(), workdays=frozenset(), years=frozenset({2026}))
    friday = date(2026, 11, 27)
    assert notify_by(friday, calendar).due == date(2026, 12, 2)  # Mon, Tue, Wed
    assert answer_by(friday, calendar).due == date(2026, 12, 4)  # five working days
    assert remind_on(friday, calendar) == date(2026, 12, 3)  # the working day before
