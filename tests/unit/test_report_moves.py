"""Which figures each case change moves (issue 15): one test per mapping, and the Beijing day."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.report_moves import CaseFacts, Duration, Event, moves

REPORTED = "2026-11-30T01:00:00.000+00:00"  # 09:00 in Beijing
FACTS = CaseFacts(case_id="C1", unit="320900", reported_at=REPORTED,
                  rescue_requested_at={"R1": "2026-11-30T02:00:00.000+00:00"})


def _moved(action: str, at: str = "2026-11-30T03:00:00.000+00:00", **detail):
    return moves(Event(action, detail, at), FACTS)


@pytest.mark.parametrize(("action", "expected"), [
    ("CASE_REPORTED", {"casesReported": 1, "casesRemote": 1}),
    ("REFERRED_ON_SCENE", {"casesReported": 1, "casesOnScene": 1}),
    ("SETTLED", {"agreementsSigned": 1}),
    ("DISPUTED", {"disputed": 1}),
    ("RESCUE_REQUESTED", {"rescueOrders": 1}),
    ("RESCUE_ESCALATED", {"rescueEscalated": 1}),
    ("MEDICAL_ADMITTED", {"directPayPatients": 1}),
    ("MEDIATION_REQUESTED", {"mediationsRequested": 1}),
    ("MEDIATED", {"mediationsAgreed": 1}),
    ("MEDIATION_TERMINATED", {"mediationsTerminated": 1}),
])
def test_given_counted_action_when_moved_then_its_figures_add_one(action, expected):
    moved = _moved(action)
    assert moved is not None and moved.counts == expected and moved.durations == []
    assert moved.unit == "320900" and moved.day == date(2026, 11, 30)


def test_given_claims_reported_for_two_insurers_when_moved_then_two_claims_count():
    moved = _moved("CLAIMS_REPORTED", claims=[{"claimId": "K1"}, {"claimId": "K2"}], mutualSelfPay=False)
    assert moved is not None and moved.counts == {"claimsReported": 2}


def test_given_claim_paid_when_moved_then_paid_counts_and_its_amount_is_what_insurers_paid():
    moved = _moved("CLAIM_PAID", amount=123456, type="claim.paid")
    assert moved is not None and moved.counts == {"claimsPaid": 1, "insurerPaidFen": 123456}


def test_given_direct_pay_payment_when_moved_then_insurer_paid_adds_its_amount():
    moved = _moved("MEDICAL_PAID", amount=50000)
    assert moved is not None and moved.counts == {"insurerPaidFen": 50000}


def test_given_direct_pay_guarantee_when_moved_then_nothing_counts_until_paid():
    assert _moved("MEDICAL_GUARANTEED", amount=50000) is None


def test_given_fund_advance_approved_when_moved_then_fund_advanced_adds_the_advance():
    moved = _moved("FUND_ADVANCED", advanced=880000, toRecover={})
    assert moved is not None and moved.counts == {"fundAdvancedFen": 880000}


def test_given_claim_clock_ran_out_when_moved_then_one_claim_is_overdue_on_the_day_it_ran_out():
    # recorded at 02:00 on 3 December in Beijing by a late sweep; the duty's last day was 1 December
    moved = _moved("CLAIM_OVERDUE", at="2026-12-02T18:00:00.000+00:00", claimId="K1", duty="PAY",
                   due="2026-12-01", overdueOn="2026-12-02")
    assert moved is not None and moved.counts == {"claimsOverdue": 1} and moved.day == date(2026, 12, 2)


def test_given_insurer_acting_late_when_moved_then_the_late_act_itself_counts_no_overdue():
    # the duty running out is counted by its own CLAIM_OVERDUE entry, so the late act is not counted again
    assert _moved("CLAIM_DOCUMENTS_REQUESTED", overdue=True) is None


def test_given_evidence_complete_when_moved_then_minutes_from_report_are_recorded():
    moved = _moved("EVIDENCE_COMPLETE", at="2026-11-30T01:01:30.000+00:00")
    assert moved is not None and moved.counts == {}
    assert moved.durations == [Duration("minutesEvidence", "C1", None, 1.5)]


def test_given_first_letter_issued_when_moved_then_letter_counts_and_minutes_to_letter_recorded():
    moved = _moved("DOCUMENT_ISSUED", at="2026-11-30T01:04:00.000+00:00", kind="LIABILITY_LETTER", revision=1)
    assert moved is not None and moved.counts == {"lettersIssued": 1}
    assert moved.durations == [Duration("minutesToLetter", "C1", None, 4.0)]


def test_given_letter_revision_or_other_document_when_moved_then_nothing_moves():
    assert _moved("DOCUMENT_ISSUED", kind="LIABILITY_LETTER", revision=2) is None
    assert _moved("DOCUMENT_ISSUED", kind="SETTLEMENT_AGREEMENT", revision=1) is None


def test_given_rescue_assigned_and_arrived_when_moved_then_minutes_from_the_order_request_are_recorded():
    accepted = _moved("RESCUE_ASSIGNED", at="2026-11-30T02:03:00.000+00:00", orderId="R1")
    arrived = _moved("RESCUE_ARRIVED", at="2026-11-30T02:25:00.000+00:00", orderId="R1")
    assert accepted is not None and accepted.durations == [Duration("minutesToAccept", "C1", "R1", 3.0)]
    assert arrived is not None and arrived.durations == [Duration("minutesToArrive", "C1", "R1", 25.0)]


def test_given_rescue_milestone_of_unknown_order_when_moved_then_nothing_is_timed():
    assert _moved("RESCUE_ARRIVED", orderId="R9") is None


def test_given_change_that_moves_no_figure_when_moved_then_none():
    assert _moved("EVIDENCE_VERIFIED", evidenceId="E1") is None
    assert _moved("CLAIM_PAID_NOTHING") is None


def test_given_event_across_beijing_midnight_when_moved_then_day_is_the_beijing_day_of_the_event():
    before = _moved("CASE_REPORTED", at="2026-11-30T15:59:00.000+00:00")
    after = _moved("CASE_REPORTED", at="2026-11-30T16:01:00.000+00:00")
    assert before is not None and before.day == date(2026, 11, 30)
    assert after is not None and after.day == date(2026, 12, 1)


def test_given_letter_issued_the_next_beijing_day_when_moved_then_it_counts_on_the_letters_day():
    moved = _moved("DOCUMENT_ISSUED", at="2026-11-30T16:01:00.000+00:00", kind="LIABILITY_LETTER", revision=1)
    assert moved is not None and moved.day == date(2026, 12, 1)
    assert moved.durations[0].minutes == 15 * 60 + 1
