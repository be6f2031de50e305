from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import config
from chalicelib.domain.insurance import (
    EVENT_TYPES,
    AccidentParty,
    ClaimStatus,
    ClockDue,
    Limits,
    clock_due,
    compulsory_limits,
    is_overdue,
    limits_in_force,
    mutual_self_pay,
    next_status,
)
from chalicelib.domain.liability import Liability
from chalicelib.domain.workdays import is_working_day, load_calendar
from chalicelib.errors import Conflict, ValidationFailed

CONFIG = config.load("insurance")
CAL = load_calendar(config.load("holidays"))
CST = timezone(timedelta(hours=8))
YUAN = 100  # fen

# --- limits ------------------------------------------------------------------------------------

LIABLE = Limits(death_disability=180_000 * YUAN, medical=18_000 * YUAN, property=2_000 * YUAN)
NOT_LIABLE = Limits(death_disability=18_000 * YUAN, medical=1_800 * YUAN, property=100 * YUAN)


TODAY = date(2026, 11, 1)


def test_given_insurance_json_when_loaded_then_it_names_the_2020_limits_and_the_regulation():
    current = limits_in_force(CONFIG, TODAY)
    assert current["effectiveFrom"] == "2020-09-19"
    assert current["source"]
    assert all(revision["source"] and revision["effectiveFrom"] for revision in CONFIG["compulsoryLimits"])
    assert "第二十八条" in CONFIG["clock"]["source"]
    assert "第二十九条" in CONFIG["clock"]["source"]
    assert (CONFIG["clock"]["listDocumentsDays"], CONFIG["clock"]["decideDays"], CONFIG["clock"]["payDays"]) == (1, 5, 10)
    assert CONFIG["mutualSelfPay"]["maxLossPerVehicle"] == 2_000 * YUAN


@pytest.mark.parametrize("liability", ["FULL", "PRIMARY", "EQUAL", "SECONDARY"])
def test_given_a_vehicle_bearing_any_liability_when_limits_are_asked_then_the_liable_column_applies(liability):
    assert compulsory_limits(liability, CONFIG, TODAY) == LIABLE


def test_given_a_vehicle_bearing_no_liability_when_limits_are_asked_then_the_not_liable_column_applies():
    assert compulsory_limits("NONE", CONFIG, TODAY) == NOT_LIABLE
    assert compulsory_limits(Liability.NONE, CONFIG, TODAY) == NOT_LIABLE


def test_given_an_accident_before_the_2020_revision_when_limits_are_asked_then_the_2008_limits_apply():
    before = date(2020, 9, 18)
    assert compulsory_limits("FULL", CONFIG, before) == Limits(110_000 * YUAN, 10_000 * YUAN, 2_000 * YUAN)
    assert compulsory_limits("NONE", CONFIG, before) == Limits(11_000 * YUAN, 1_000 * YUAN, 100 * YUAN)
    assert compulsory_limits("FULL", CONFIG, date(2020, 9, 19)) == LIABLE


def test_given_a_new_revision_in_configuration_when_its_day_comes_then_it_applies_from_that_day():
    revised = {"effectiveFrom": "2027-01-01", "source": "test", "liable": {"deathDisability": 1, "medical": 2, "property": 3},
               "notLiable": {"deathDisability": 0, "medical": 0, "property": 0}}
    configured = {**CONFIG, "compulsoryLimits": [revised, *CONFIG["compulsoryLimits"]]}
    assert compulsory_limits("FULL", configured, date(2026, 12, 31)) == LIABLE
    assert compulsory_limits("FULL", configured, date(2027, 1, 1)) == Limits(1, 2, 3)


def test_given_an_accident_before_every_revision_when_limits_are_asked_then_a_programming_error():
    with pytest.raises(ValueError, match="no 交强险 limits in force"):
        limits_in_force(CONFIG, date(2000, 1, 1))


def test_given_limits_when_shaped_for_a_reply_then_the_keys_are_camel_case_and_the_amounts_fen():
    assert LIABLE.as_dict() == {"deathDisability": 18_000_000, "medical": 1_800_000, "property": 200_000}


def test_given_an_unknown_liability_when_limits_are_asked_then_it_is_refused_on_the_liability_field():
    with pytest.raises(ValidationFailed) as caught:
        compulsory_limits("MOSTLY", CONFIG, TODAY)
    assert caught.value.field == "liability"


# --- 互碰自赔 -------------------------------------------------------------------------------------

A, B = "party-a", "party-b"


def _mutual(vehicle_party_ids=(A, B), parties=None, **overrides):
    """Every party an insured motor vehicle unless `parties` says otherwise."""
    arguments = {
        "liabilities": {A: "PRIMARY", B: "SECONDARY"},
        "losses": {A: 150_000, B: 200_000},
        "parties": parties or [AccidentParty(p, motor=True, insured=True) for p in vehicle_party_ids],
        "injuries": False,
        "third_party_property": False,
        "config": CONFIG,
    }
    arguments.update(overrides)
    return mutual_self_pay(**arguments)


def test_given_an_e_bike_party_when_checked_then_mutual_self_pay_does_not_apply():
    parties = [AccidentParty(A, motor=True, insured=True), AccidentParty(B, motor=False, insured=False)]
    assert _mutual(parties=parties) is False


def test_given_an_uninsured_car_when_checked_then_mutual_self_pay_does_not_apply():
    parties = [AccidentParty(A, motor=True, insured=True), AccidentParty(B, motor=True, insured=False)]
    assert _mutual(parties=parties) is False


def test_given_a_pedestrian_beside_two_cars_when_checked_then_mutual_self_pay_does_not_apply():
    c = "party-c"
    parties = [AccidentParty(A, motor=True, insured=True), AccidentParty(B, motor=True, insured=True),
               AccidentParty(c, motor=False, insured=False)]
    assert _mutual(parties=parties) is False


def test_given_two_liable_vehicles_with_small_losses_and_nothing_else_damaged_when_checked_then_mutual_self_pay_applies():
    assert _mutual() is True
    assert _mutual(liabilities={A: "EQUAL", B: "EQUAL"}) is True
    assert _mutual(losses={A: 0, B: 2_000 * YUAN}) is True


def test_given_three_liable_vehicles_when_checked_then_mutual_self_pay_applies():
    c = "party-c"
    assert _mutual(liabilities={A: "EQUAL", B: "EQUAL", c: "EQUAL"}, losses={A: 1, B: 2, c: 3}, vehicle_party_ids=[A, B, c]) is True


def test_given_one_vehicle_not_liable_when_checked_then_mutual_self_pay_does_not_apply():
    assert _mutual(liabilities={A: "FULL", B: "NONE"}) is False


def test_given_a_loss_one_fen_over_2000_yuan_when_checked_then_mutual_self_pay_does_not_apply():
    assert _mutual(losses={A: 150_000, B: 2_000 * YUAN + 1}) is False


@pytest.mark.parametrize("losses", [{A: 150_000, B: None}, {A: 150_000}], ids=["none", "absent"])
def test_given_a_loss_not_known_when_checked_then_mutual_self_pay_does_not_apply(losses):
    assert _mutual(losses=losses) is False


def test_given_a_vehicle_without_a_liability_when_checked_then_mutual_self_pay_does_not_apply():
    assert _mutual(liabilities={A: "EQUAL"}) is False


def test_given_someone_injured_when_checked_then_mutual_self_pay_does_not_apply():
    assert _mutual(injuries=True) is False


def test_given_third_party_property_damaged_when_checked_then_mutual_self_pay_does_not_apply():
    assert _mutual(third_party_property=True) is False


@pytest.mark.parametrize("vehicles", [[A], [A, A]], ids=["single", "listed-twice"])
def test_given_a_single_vehicle_when_checked_then_mutual_self_pay_does_not_apply(vehicles):
    assert _mutual(liabilities={A: "FULL"}, losses={A: 100}, vehicle_party_ids=vehicles) is False


def test_given_an_unknown_liability_when_checked_then_it_is_refused_on_the_liabilities_field():
    with pytest.raises(ValidationFailed) as caught:
        _mutual(liabilities={A: "EQUAL", B: "HALF"})
    assert caught.value.field == "liabilities"


def test_given_a_negative_loss_when_checked_then_it_is_refused_on_the_losses_field():
    with pytest.raises(ValidationFailed) as caught:
        _mutual(losses={A: -1, B: 100})
    assert caught.value.field == "losses"


# --- claim lifecycle ---------------------------------------------------------------------------

R, AC, D, AS, P, RJ = (
    ClaimStatus.REPORTED,
    ClaimStatus.ACCEPTED,
    ClaimStatus.DOCUMENTS_REQUESTED,
    ClaimStatus.ASSESSED,
    ClaimStatus.PAID,
    ClaimStatus.REJECTED,
)
ALLOWED = {
    (R, "claim.accepted"): AC,
    (R, "claim.documents_requested"): D,
    (AC, "claim.documents_requested"): D,
    (D, "claim.documents_requested"): D,
    (AC, "claim.loss_assessed"): AS,
    (D, "claim.loss_assessed"): AS,
    (AS, "claim.paid"): P,
    (R, "claim.rejected"): RJ,
    (AC, "claim.rejected"): RJ,
    (D, "claim.rejected"): RJ,
}
REFUSED = [(status, event) for status in ClaimStatus for event in EVENT_TYPES if (status, event) not in ALLOWED]


def test_given_the_event_types_when_listed_then_they_are_the_five_insurer_events():
    assert EVENT_TYPES == ("claim.accepted", "claim.documents_requested", "claim.loss_assessed", "claim.paid", "claim.rejected")


@pytest.mark.parametrize(("current", "event", "target"), [(s, e, t) for (s, e), t in ALLOWED.items()])
def test_given_a_status_that_allows_the_event_when_it_arrives_then_the_claim_moves(current, event, target):
    result = next_status(current.value, event)
    assert result is target


@pytest.mark.parametrize(("current", "event"), REFUSED)
def test_given_a_status_that_does_not_allow_the_event_when_it_arrives_then_it_conflicts_naming_the_status(current, event):
    with pytest.raises(Conflict) as caught:
        next_status(current.value, event)
    assert caught.value.field == "type"
    assert caught.value.details["status"] == current.value
    assert f"cannot follow {current.value}" in caught.value.message


@pytest.mark.parametrize("current", ["REPORTED", "ACCEPTED"])
def test_given_a_claim_not_yet_assessed_when_it_is_paid_then_it_conflicts(current):
    with pytest.raises(Conflict) as caught:
        next_status(current, "claim.paid")
    assert caught.value.details["status"] == current


@pytest.mark.parametrize("event", EVENT_TYPES)
@pytest.mark.parametrize("current", ["PAID", "REJECTED"])
def test_given_a_closed_claim_when_any_event_arrives_then_it_conflicts(current, event):
    with pytest.raises(Conflict):
        next_status(current, event)


def test_given_an_unknown_event_type_when_it_arrives_then_it_is_refused_on_the_type_field():
    with pytest.raises(ValidationFailed) as caught:
        next_status("REPORTED", "claim.settled")
    assert caught.value.field == "type"


# --- insurer clock -----------------------------------------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_given_a_claim_reported_the_day_before_national_day_when_the_clock_runs_then_listing_is_due_after_the_holiday():
    # Wed 2026-09-30 + 1 day = Thu 10-01, a holiday (国庆节 10-01..10-07) → next working day Thu 10-08.
    due = clock_due("REPORTED", _at("2026-09-30T10:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 10, 8), duty="LIST_DOCUMENTS")


def test_given_a_claim_reported_on_a_monday_when_the_clock_runs_then_listing_is_due_on_tuesday():
    due = clock_due("REPORTED", _at("2026-11-23T10:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 11, 24), duty="LIST_DOCUMENTS")


def test_given_an_amount_agreed_before_national_day_when_the_clock_runs_then_payment_is_due_on_a_working_last_day():
    # Mon 2026-09-28 + 10 natural days = Thu 10-08, a working day: the holiday inside the period does not extend it.
    due = clock_due("ASSESSED", _at("2026-09-28T15:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 10, 8), duty="PAY")


@pytest.mark.parametrize("status", ["ACCEPTED", "DOCUMENTS_REQUESTED"])
def test_given_documents_received_before_spring_festival_when_the_clock_runs_then_the_decision_is_due_after_it(status):
    # Tue 2026-02-10 + 5 = Sun 02-15, first day of 春节 (02-15..02-23) → Tue 02-24.
    due = clock_due(status, _at("2026-02-10T09:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 2, 24), duty="DECIDE")


def test_given_a_last_day_on_a_make_up_working_saturday_when_the_clock_runs_then_it_stays_on_that_saturday():
    # Mon 2026-10-05 (holiday) + 5 = Sat 10-10, a make-up working day (调休上班).
    due = clock_due("ACCEPTED", _at("2026-10-05T09:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 10, 10), duty="DECIDE")


def test_given_a_last_day_on_an_ordinary_sunday_when_the_clock_runs_then_it_moves_to_monday():
    # Tue 2026-11-24 + 5 = Sun 11-29 → Mon 11-30.
    due = clock_due("DOCUMENTS_REQUESTED", _at("2026-11-24T09:00:00+08:00"), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 11, 30), duty="DECIDE")


def test_given_since_late_evening_utc_when_the_clock_runs_then_it_counts_from_the_china_date():
    # 2026-11-23T17:00Z is 11-24 01:00 in China: the start day is Tue 11-24, so the day due is Wed 11-25.
    due = clock_due("REPORTED", datetime(2026, 11, 23, 17, 0, tzinfo=UTC), CAL, CONFIG)
    assert due == ClockDue(due=date(2026, 11, 25), duty="LIST_DOCUMENTS")
    assert clock_due("REPORTED", datetime(2026, 11, 23, 15, 59, tzinfo=UTC), CAL, CONFIG) == ClockDue(date(2026, 11, 24), "LIST_DOCUMENTS")


@pytest.mark.parametrize("status", ["PAID", "REJECTED"])
def test_given_a_closed_claim_when_the_clock_is_asked_then_nothing_is_due(status):
    assert clock_due(status, _at("2026-11-23T10:00:00+08:00"), CAL, CONFIG) is None


def test_given_a_naive_since_or_an_unknown_status_when_the_clock_is_asked_then_it_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        clock_due("REPORTED", datetime(2026, 11, 23, 10, 0), CAL, CONFIG)
    with pytest.raises(ValueError, match="unknown claim status"):
        clock_due("LOST", _at("2026-11-23T10:00:00+08:00"), CAL, CONFIG)


def test_given_the_last_day_when_overdue_is_asked_then_only_the_next_china_day_is_overdue():
    due = ClockDue(due=date(2026, 11, 24), duty="LIST_DOCUMENTS")
    assert is_overdue(due, _at("2026-11-24T00:00:00+08:00")) is False
    assert is_overdue(due, _at("2026-11-24T23:59:59+08:00")) is False
    assert is_overdue(due, _at("2026-11-25T00:00:00+08:00")) is True
    # 2026-11-24T16:30Z is already 11-25 00:30 in China.
    assert is_overdue(due, datetime(2026, 11, 24, 16, 30, tzinfo=UTC)) is True
    assert is_overdue(due, datetime(2026, 11, 24, 15, 59, tzinfo=UTC)) is False


def test_given_a_naive_now_when_overdue_is_asked_then_it_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        is_overdue(ClockDue(due=date(2026, 11, 24), duty="PAY"), datetime(2026, 11, 25, 10, 0))


def _oracle(start: date, days: int) -> date:
    """民法典 Art.201–203 by hand with chinese_calendar, independent of the code under test."""
    last = start + timedelta(days)
    while not chinese_calendar.is_workday(last):
        last += timedelta(1)
    return last


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 10)),
    status=st.sampled_from(["REPORTED", "ACCEPTED", "DOCUMENTS_REQUESTED", "ASSESSED"]),
    hour=st.integers(0, 23),
)
def test_given_any_start_in_the_covered_years_when_the_clock_runs_then_it_agrees_with_chinese_calendar(start, status, hour):
    days = {"REPORTED": 1, "ACCEPTED": 5, "DOCUMENTS_REQUESTED": 5, "ASSESSED": 10}[status]
    result = clock_due(status, datetime(start.year, start.month, start.day, hour, tzinfo=CST), CAL, CONFIG)
    assert result is not None
    assert result.due == _oracle(start, days)
    assert is_working_day(result.due, CAL)
    assert result.due >= start + timedelta(days)
