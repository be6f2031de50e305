"""The report figures kept with each case change equal the figures rebuilt from the cases' records
(issue 15): generated cases driven through the real services at generated times across Beijing
midnight and a month end (31 October → 1 November 2026, Beijing)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from chalicelib.domain.beijing_time import CHINA
from chalicelib.domain.report_moves import day_of
from chalicelib.services import claims_clock
from chalicelib.services.report_rebuild import rebuild
from chalicelib.settings import reset_settings
from chalicelib.store import cases as case_store
from chalicelib.store import report_counters
from tests.factories import case_body, evidence_request, injury_case_body, photo, staff_token, upload_object
from tests.integration.test_claims import _send_event, insurers  # noqa: F401 (a fixture)

UNIT = "320900"
WINDOW_START = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)  # 23:00 on 31 October in Beijing
DAYS = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
FACTS = "甲方车辆在解放南路由南向北行驶时追撞前方乙方车辆尾部。"

one_case = st.fixed_dictionaries({
    "reported": st.integers(min_value=0, max_value=120),  # minutes after 23:00 Beijing
    "remote": st.booleans(),
    "evidence_minutes": st.integers(min_value=1, max_value=60),
    "letter_minutes": st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
    "refused": st.booleans(),
})


@pytest.fixture
def clock(monkeypatch):
    """The time every service reads (`store.cases.utcnow`); party links live long enough for a past month end."""
    monkeypatch.setenv("PARTY_TOKEN_DAYS", "90")
    reset_settings()
    moment = {"now": WINDOW_START}
    monkeypatch.setattr(case_store, "utcnow", lambda: moment["now"])
    yield moment
    reset_settings()


def _all_days() -> dict[date, list[dict]]:
    return {day: sorted(report_counters.day_items(UNIT, day), key=lambda item: item["sk"]) for day in DAYS}


def _counted(name: str, kept: dict[date, list[dict]]) -> dict[date, int]:
    return {day: sum(int(item.get(name, 0)) for item in items) for day, items in kept.items()}


def _drive(api, officer, clock, plan: dict, expected: Counter) -> None:
    reported = WINDOW_START + timedelta(minutes=plan["reported"])
    clock["now"] = reported
    occurred = (reported - timedelta(minutes=10)).astimezone(UTC).isoformat()
    body = case_body(occurredAt=occurred) if plan["remote"] else injury_case_body("SERIOUS", occurredAt=occurred)
    created = api.call("POST", "/cases", staff_token("dispatcher"), body).body
    expected[("casesReported", day_of(reported.isoformat()))] += 1
    if not plan["remote"]:
        return
    case_id, token = created["caseId"], created["parties"][0]["token"]
    clock["now"] = completed = reported + timedelta(minutes=plan["evidence_minutes"])
    checklist = api.call("GET", f"/cases/{case_id}", token).body["evidence"]["checklist"]
    for seed, slot in enumerate(checklist):
        content = photo(seed)
        shot = evidence_request(content, slot["kind"], slot["partyId"], capturedAt=completed.isoformat())
        evidence_id = api.call("POST", f"/cases/{case_id}/evidence", token, shot).body["evidenceId"]
        upload_object(f"uploads/{case_id}/{evidence_id}", content)
        done = api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
        assert done.status == 200, done.body
    if plan["letter_minutes"] is None:
        return
    clock["now"] = issued = completed + timedelta(minutes=plan["letter_minutes"])
    payload = {"scenario": "REAR_END", "facts": FACTS, "atFaultPartyId": created["parties"][0]["partyId"]}
    assert api.call("POST", f"/cases/{case_id}/determination", officer, payload).status == 201
    expected[("lettersIssued", day_of(issued.isoformat()))] += 1
    if plan["refused"]:
        party = created["parties"][1]
        refusal = {"accept": False, "reason": "对方突然变道，不是追尾"}
        assert api.call("POST", f"/cases/{case_id}/parties/{party['partyId']}/sign", party["token"], refusal).status == 200
        expected[("disputed", day_of(issued.isoformat()))] += 1


def test_given_generated_cases_across_midnight_and_month_end_when_rebuilt_then_kept_figures_equal_rebuilt(api, officer, clock):
    expected: Counter = Counter()  # the table lives across examples: figures accumulate

    # Few, unshrunk examples: each drives real requests (the suite's budget is under a minute).
    @settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              phases=[Phase.explicit, Phase.generate])
    @given(st.lists(one_case, min_size=1, max_size=2))
    # Always: reported at 23:55 on 31 October, its letter at 00:02 on 1 November, refused; one on scene.
    @example([{"reported": 55, "remote": True, "evidence_minutes": 3, "letter_minutes": 4, "refused": True},
              {"reported": 61, "remote": False, "evidence_minutes": 1, "letter_minutes": None, "refused": False}])
    def check(plans: list[dict]) -> None:
        for plan in plans:
            _drive(api, officer, clock, plan, expected)
        kept = _all_days()
        for name in ("casesReported", "lettersIssued", "disputed"):
            assert _counted(name, kept) == {day: expected[(name, day)] for day in DAYS}, name
        assert sum(len([i for i in items if i["sk"].startswith("TIME#minutesToLetter#")]) for items in kept.values()) \
            == sum(expected[("lettersIssued", day)] for day in DAYS)
        rebuild(UNIT, DAYS[0], DAYS[-1])
        assert _all_days() == kept
        rebuild(UNIT, DAYS[0], DAYS[-1])
        assert _all_days() == kept

    check()


def test_given_stats_drifted_when_rebuilt_then_the_day_is_repaired_and_stale_items_go(api, officer, clock):
    clock["now"] = WINDOW_START
    api.call("POST", "/cases", staff_token("dispatcher"), case_body(occurredAt=(WINDOW_START - timedelta(minutes=5)).isoformat()))
    kept = _all_days()
    stale = report_counters.StatsItem(report_counters.stats_key(UNIT, DAYS[0]), "TIME#minutesToLetter#GONE", minutes=3)
    stale.save()
    report_counters.StatsItem(report_counters.stats_key(UNIT, DAYS[0]), report_counters.count_key(0), casesReported=40).save()
    assert _all_days() != kept
    rebuild(UNIT, DAYS[0], DAYS[-1])
    assert _all_days() == kept


def test_given_a_writer_that_loses_to_another_when_retried_then_its_figure_moves_once(api, officer, clock):
    created = api.call("POST", "/cases", staff_token("dispatcher"),
                       case_body(occurredAt=(WINDOW_START - timedelta(minutes=5)).isoformat())).body
    case_id = created["caseId"]
    system = case_store.Principal(subject="test", role=case_store.Role.SYSTEM)
    attempts = []

    def mediated(record):
        attempts.append(record.case.version)
        if len(attempts) == 1:  # another writer commits between this read and this write
            case_store.mutate(system, case_id, lambda _: case_store.Change(action="MEDIATED"))
        return case_store.Change(action="MEDIATED")

    case_store.mutate(system, case_id, mediated)
    assert len(attempts) == 2  # the first transaction was cancelled and the decision retried
    assert _counted("mediationsAgreed", _all_days())[DAYS[0]] == 2  # the other writer's and this one's: not 3


def _claims_reported(api, officer, clock, reported: datetime) -> list[dict]:
    """A remote case reported then, its evidence complete and its letter issued: its claims, PICC's first."""
    clock["now"] = reported
    created = api.call("POST", "/cases", staff_token("dispatcher"),
                       case_body(occurredAt=(reported - timedelta(minutes=5)).isoformat())).body
    case_id, token = created["caseId"], created["parties"][0]["token"]
    for seed, slot in enumerate(api.checklist(case_id, token)):
        content = photo(seed)
        shot = evidence_request(content, slot["kind"], slot["partyId"], capturedAt=reported.isoformat())
        evidence_id = api.call("POST", f"/cases/{case_id}/evidence", token, shot).body["evidenceId"]
        upload_object(f"uploads/{case_id}/{evidence_id}", content)
        assert api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token).status == 200
    payload = {"scenario": "REAR_END", "facts": FACTS, "atFaultPartyId": created["parties"][0]["partyId"]}
    assert api.call("POST", f"/cases/{case_id}/determination", officer, payload).status == 201
    return sorted(api.call("GET", f"/cases/{case_id}", token).body["claims"], key=lambda c: c["insurerCode"] != "PICC")


def _paid_late(api, claim_id: str, now: datetime) -> None:
    data = {"claimId": claim_id}
    assert _send_event(api, "PICC", "claim.accepted", data).status == 200
    items = [{"name": "后保险杠", "amount": 180000}]
    assert _send_event(api, "PICC", "claim.loss_assessed", {**data, "amount": 180000, "items": items}).status == 200
    paid = _send_event(api, "PICC", "claim.paid", {**data, "amount": 180000, "paidAt": now.isoformat()})
    assert paid.status == 200, paid.body


def _counted_on(day: date, *names: str) -> dict[str, int]:
    return {name: sum(int(item.get(name, 0)) for item in report_counters.day_items(UNIT, day)) for name in names}


def _assert_rebuilt_equal(first: date, last: date) -> None:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    kept = {day: sorted(report_counters.day_items(UNIT, day), key=lambda item: item["sk"]) for day in days}
    rebuild(UNIT, first, last)
    assert {day: sorted(report_counters.day_items(UNIT, day), key=lambda item: item["sk"]) for day in days} == kept


@pytest.mark.usefixtures("insurers")
def test_given_insurer_acting_after_its_duty_fell_due_when_paid_then_overdue_paid_and_money_count_on_that_day(api, officer, clock):
    now = datetime.now(UTC).replace(microsecond=0)
    # the claims were reported 20 days ago: the insurer's duty fell due since, and no sweep ran
    claim = _claims_reported(api, officer, clock, now - timedelta(days=20))[0]
    clock["now"] = now
    _paid_late(api, claim["claimId"], now)
    today, ran_out = day_of(now.isoformat()), date.fromisoformat(claim["clock"]["due"]) + timedelta(days=1)
    assert _counted_on(today, "claimsOverdue", "claimsPaid", "insurerPaidFen") == \
        {"claimsOverdue": 0, "claimsPaid": 1, "insurerPaidFen": 180000}
    # only the first act was late: its duty counts once, on the day its clock ran out
    assert _counted_on(ran_out, "claimsOverdue") == {"claimsOverdue": 1}
    _assert_rebuilt_equal(ran_out, today)


@pytest.mark.usefixtures("insurers")
def test_given_claim_left_unanswered_past_its_due_day_when_swept_then_counted_once_that_day_and_not_again_when_paid(
        api, officer, clock):
    now = datetime.now(UTC).replace(microsecond=0)
    claims = _claims_reported(api, officer, clock, now - timedelta(days=6))
    claim = claims[0]
    assert {c["clock"]["due"] for c in claims} == {claim["clock"]["due"]}  # both insurers' first duty
    due = date.fromisoformat(claim["clock"]["due"])
    ran_out = due + timedelta(days=1)
    # the sweep on the duty's last day (23:50 Beijing) finds it still in time
    clock["now"] = datetime.combine(due, datetime.min.time(), tzinfo=CHINA).replace(hour=23, minute=50)
    assert claims_clock.record_overdue(UNIT) == []
    # the next day's sweeps (00:05 and 01:05 Beijing) record it once
    clock["now"] = datetime.combine(ran_out, datetime.min.time(), tzinfo=CHINA).replace(minute=5)
    assert sorted(claims_clock.record_overdue(UNIT)) == sorted(c["claimId"] for c in claims)
    clock["now"] += timedelta(hours=1)
    assert claims_clock.record_overdue(UNIT) == []
    assert _counted_on(ran_out, "claimsOverdue") == {"claimsOverdue": len(claims)}
    # PICC pays late, today: the duty already counted is not counted again
    clock["now"] = now
    _paid_late(api, claim["claimId"], now)
    today = day_of(now.isoformat())
    assert _counted_on(ran_out, "claimsOverdue") == {"claimsOverdue": len(claims)}
    assert _counted_on(today, "claimsOverdue", "claimsPaid") == {"claimsOverdue": 0, "claimsPaid": 1}
    _assert_rebuilt_equal(ran_out, today)
