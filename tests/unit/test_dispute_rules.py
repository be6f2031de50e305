"""Review and mediation rules: the case statuses they add, and their periods in working days
across National Day 2026 and Spring Festival 2027."""

from datetime import date

import pytest

from chalicelib import config
from chalicelib.domain import case_status as s
from chalicelib.domain import mediation, review
from chalicelib.domain.decisions import Deadlines
from chalicelib.domain.workdays import load_calendar
from chalicelib.errors import Conflict, DeadlinePassed, ValidationFailed
from chalicelib.services.liability_terms import counted

PACKAGED = load_calendar(config.load("holidays"))
# A test arrangement for Spring Festival 2027 (the State Council has not published the real one):
# 2/6 (Saturday, 春节) to 2/12 off, Saturday 2/20 worked.
SPRING_2027 = load_calendar({**config.load("holidays"), "years": {
    **config.load("holidays")["years"],
    "2027": {"holidays": ["2027-01-01"] + [f"2027-02-{d:02d}" for d in range(6, 13)], "workdays": ["2027-02-20"]},
}})


@pytest.mark.parametrize(("current", "target"), [
    (s.DISPUTED, s.UNDER_REVIEW), (s.CONFIRMED, s.UNDER_REVIEW), (s.DETERMINED, s.UNDER_REVIEW),
    (s.UNDER_REVIEW, s.REVIEWED), (s.UNDER_REVIEW, s.AWAITING_DETERMINATION),
    (s.UNDER_REVIEW, s.MEDIATION_REQUESTED), (s.UNDER_REVIEW, s.MEDIATION_SCHEDULED),
    (s.DISPUTED, s.MEDIATION_REQUESTED), (s.REVIEWED, s.MEDIATION_REQUESTED),
    (s.MEDIATION_REQUESTED, s.MEDIATION_SCHEDULED), (s.MEDIATION_REQUESTED, s.UNDER_REVIEW),
    (s.MEDIATION_SCHEDULED, s.UNDER_REVIEW), (s.MEDIATION_SCHEDULED, s.MEDIATING),
    (s.MEDIATING, s.MEDIATED), (s.MEDIATING, s.MEDIATION_TERMINATED), (s.MEDIATION_SCHEDULED, s.MEDIATION_TERMINATED),
])
def test_given_a_dispute_move_the_law_allows_when_checked_then_accepted(current, target):
    s.ensure_move(current, target)


@pytest.mark.parametrize(("current", "target"), [
    (s.AWAITING_DETERMINATION, s.UNDER_REVIEW), (s.SETTLED, s.MEDIATION_REQUESTED), (s.MEDIATING, s.UNDER_REVIEW),
    (s.MEDIATED, s.MEDIATION_TERMINATED), (s.MEDIATION_TERMINATED, s.MEDIATING), (s.REVIEWED, s.UNDER_REVIEW),
    (s.MEDIATION_REQUESTED, s.MEDIATED), (s.UNDER_REVIEW, s.MEDIATING),
])
def test_given_a_dispute_move_the_law_does_not_allow_when_checked_then_conflict(current, target):
    with pytest.raises(Conflict):
        s.ensure_move(current, target)


def test_every_new_status_has_its_timeline_text():
    for action in ("REVIEW_REQUESTED", "REVIEW_UPHELD", "REVIEW_REDO", "MEDIATION_REQUESTED", "MEDIATION_SCHEDULED",
                   "MEDIATED", "MEDIATION_TERMINATED"):
        assert s.ACTION_TEXT[action]


def test_given_a_letter_served_the_day_before_national_day_when_counted_then_review_and_mediation_skip_the_week():
    deadlines = counted(date(2026, 9, 30), PACKAGED)
    # 10/1-7 off; 10/8 Thu, 10/9 Fri, 10/10 Saturday worked (调休): the 3rd working day.
    assert deadlines.review_by == "2026-10-10"
    # then 10/12-16 and 10/19, 10/20: the 10th.
    assert deadlines.mediation_request_by == "2026-10-20" and not deadlines.provisional


def test_given_the_review_period_when_asked_on_its_last_day_then_in_time_and_the_day_after_refused_naming_it():
    deadlines = counted(date(2026, 9, 30), PACKAGED)
    review.ensure_in_time(date(2026, 10, 10), deadlines)
    with pytest.raises(DeadlinePassed) as refused:
        review.ensure_in_time(date(2026, 10, 11), deadlines)
    assert refused.value.details["deadline"] == "2026-10-10" and "2026-10-10" in refused.value.message
    assert refused.value.status == 409 and "working days" in refused.value.message


def test_given_spring_festival_2027_when_the_year_is_loaded_then_the_week_is_skipped_and_final():
    deadlines = counted(date(2027, 2, 4), SPRING_2027)
    # 2/5 Fri (1), 2/6-12 off, weekend, 2/15 Mon (2), 2/16 (3).
    assert deadlines.review_by == "2027-02-16" and not deadlines.provisional


def test_given_spring_festival_2027_not_loaded_when_counted_then_the_date_is_provisional():
    deadlines = counted(date(2027, 2, 4), PACKAGED)
    assert deadlines.review_by == "2027-02-09" and deadlines.provisional


def test_given_the_supervisor_when_deciding_then_30_calendar_days():
    assert review.decide_by(date(2026, 9, 30)) == date(2026, 10, 30)


def test_given_a_mediation_ask_after_10_working_days_then_refused_naming_the_deadline():
    deadlines = counted(date(2026, 9, 30), PACKAGED)
    mediation.ensure_request_in_time(date(2026, 10, 20), deadlines)
    with pytest.raises(DeadlinePassed) as refused:
        mediation.ensure_request_in_time(date(2026, 10, 21), deadlines)
    assert refused.value.details["deadline"] == "2026-10-20"


def test_given_notice_before_national_day_when_scheduling_then_3_working_days_cross_the_holiday():
    assert mediation.earliest_session(date(2026, 9, 29), PACKAGED) == date(2026, 10, 9)
    mediation.ensure_notice(date(2026, 9, 29), date(2026, 10, 9), False, PACKAGED)
    with pytest.raises(ValidationFailed) as refused:
        mediation.ensure_notice(date(2026, 9, 29), date(2026, 10, 8), False, PACKAGED)
    assert refused.value.field == "at" and refused.value.details["earliest"] == "2026-10-09"
    mediation.ensure_notice(date(2026, 9, 29), date(2026, 9, 29), True, PACKAGED)  # every party waived


def test_given_a_mediation_started_before_spring_festival_when_counted_then_it_ends_after_it():
    ends = mediation.conclude_by(date(2027, 2, 1), SPRING_2027)
    # 2/2-5 (4), 2/15-19 (9), Saturday 2/20 worked (10).
    assert ends.due == date(2027, 2, 20) and not ends.provisional
    record = mediation.Mediation(mediation_id="M1", conclude_by="2027-02-20")
    assert not mediation.is_overdue(record, date(2027, 2, 20)) and mediation.is_overdue(record, date(2027, 2, 21))


def _people(side: str, count: int) -> list[mediation.Participant]:
    return [mediation.Participant(participant_id=f"{side}{n}", side=side, kind=mediation.ParticipantKind.REPRESENTATIVE,
                                  name="代理人") for n in range(count)]


def test_given_participants_when_a_side_has_more_than_3_then_refused_naming_the_side():
    mediation.ensure_sides(_people("A", 3) + _people("B", 3), ["A", "B"])
    with pytest.raises(ValidationFailed) as refused:
        mediation.ensure_sides(_people("A", 4), ["A", "B"])
    assert refused.value.field == "participants" and refused.value.details["side"] == "A"
    with pytest.raises(ValidationFailed) as stranger:
        mediation.ensure_sides(_people("C", 1), ["A", "B"])
    assert stranger.value.field == "participants[0].partyId"


def test_given_shares_that_do_not_add_up_to_the_items_then_refused():
    settlement = mediation.Settlement(
        basis="依据", facts="事实", losses="损失", items=[mediation.AgreedItem(name="车损", amount_fen=100_000)],
        shares=[mediation.AgreedShare(party_id="A", amount_fen=60_000), mediation.AgreedShare(party_id="B", amount_fen=30_000)],
        payment_method="转账", payment_deadline="2026-12-31", proposed_at="x", proposed_by="y")
    with pytest.raises(ValidationFailed) as refused:
        mediation.ensure_shares(settlement, ["A", "B"])
    assert refused.value.field == "shares"


def test_review_deadlines_fall_back_to_the_officers_day_until_the_party_is_served():
    officer_day = Deadlines(served_on="2026-09-30", review_by="2026-10-10", mediation_request_by="2026-10-20")
    own = Deadlines(served_on="2026-10-09", review_by="2026-10-13", mediation_request_by="2026-10-23", served_by="SIGNED")
    from chalicelib.domain.decisions import Determination

    determination = Determination(scenario="REAR_END", scenario_label="追尾", facts="f", liabilities={}, determined_at="x",
                                  officer="o", officer_badge="1", deadlines=officer_day, party_deadlines={"A": own})
    assert review.own_deadlines(determination, "A") == own and review.own_deadlines(determination, "B") == officer_day


def test_the_termination_reasons_a_request_may_give_are_the_documents_enum():
    from chalicelib.contracts.disputes import TerminationReasonValue
    from chalicelib.domain.mediation_terms import TerminationReason

    assert {r.value for r in TerminationReason} == {r.value for r in TerminationReasonValue}
