"""The direct-pay windows and bill rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import config
from chalicelib.domain.medical import Bill, Windows, check_bills, coverage, run_name
from chalicelib.errors import ValidationFailed

ADMITTED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
WINDOWS = Windows.from_config(config.load("medical"))


def bill(hours: float, amount: int = 100_00) -> Bill:
    return Bill(name="治疗费", amount=amount, service_date=ADMITTED + timedelta(hours=hours))


def test_given_the_configuration_then_direct_pay_covers_24_hours_the_fund_72_and_the_code_is_valid_24():
    assert (WINDOWS.direct_pay, WINDOWS.fund, WINDOWS.qr_validity) == (timedelta(hours=24), timedelta(hours=72), timedelta(hours=24))


def test_given_a_fund_window_shorter_than_direct_pay_then_the_configuration_is_refused():
    with pytest.raises(ValueError, match="fund window"):
        Windows.from_config({**config.load("medical"), "fundHours": 12})


def test_given_bills_across_both_windows_then_direct_pay_counts_the_first_24_hours_and_the_fund_window_all():
    bills = [bill(0), bill(23.9, 50_00), bill(24.1, 30_00), bill(71, 7)]
    assert coverage(bills, ADMITTED, WINDOWS).direct_pay_fen == 150_00
    assert coverage(bills, ADMITTED, WINDOWS).fund_window_fen == 180_07


@pytest.mark.parametrize(("bills", "field"), [
    ([bill(-0.5)], "items[0].serviceDate"),
    ([bill(1), bill(73)], "items[1].serviceDate"),
    ([bill(1), bill(2, amount=0)], "items[1].amount"),
    ([bill(1, amount=-5)], "items[0].amount"),
    ([], "items"),
])
def test_given_a_bad_bill_then_it_is_refused_naming_the_item(bills, field):
    now = ADMITTED + timedelta(hours=100)
    with pytest.raises(ValidationFailed) as refused:
        check_bills(bills, ADMITTED, now, WINDOWS)
    assert refused.value.field == field


def test_given_a_service_time_in_the_future_then_it_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check_bills([bill(5)], ADMITTED, ADMITTED + timedelta(hours=1), WINDOWS)
    assert refused.value.field == "items[0].serviceDate"


def test_given_a_case_and_a_person_then_the_run_name_is_the_same_every_time():
    assert run_name("YC26110212345678", "PABCDEFGH") == "medical-YC26110212345678-PABCDEFGH"
