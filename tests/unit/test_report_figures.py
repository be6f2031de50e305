"""The report's figures from their parts: pure arithmetic, checked against a direct computation."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import report_figures as rf


def test_given_no_events_when_figures_made_then_every_figure_reads_zero() -> None:
    made = rf.figures({}, {})
    assert made.casesReported == 0 and made.fundAdvancedFen == 0
    assert made.minutesToLetter == rf.Distribution(median=None, p90=None, count=0)


@given(st.lists(st.floats(min_value=0, max_value=10_000, allow_nan=False), min_size=1, max_size=200))
def test_given_durations_when_summarised_then_median_and_p90_match_a_direct_computation(values) -> None:
    summary = rf.distribution(values)
    assert summary.count == len(values)
    assert summary.median == pytest.approx(statistics.median(values), abs=0.051)
    expected_p90 = statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
    assert summary.p90 == pytest.approx(expected_p90, abs=0.051)


def test_given_shards_when_added_then_counts_sum_and_unknown_names_are_refused() -> None:
    total = rf.add_counts([{"casesReported": 2, "insurerPaidFen": 150}, {"casesReported": 3}])
    assert total["casesReported"] == 5 and total["insurerPaidFen"] == 150 and total["disputed"] == 0
    with pytest.raises(ValueError, match="casesInvented"):
        rf.figures({"casesInvented": 1}, {})


def test_given_a_month_when_its_days_listed_then_leap_february_and_december_are_whole() -> None:
    assert len(rf.days_of_month("2028-02")) == 29
    december = rf.days_of_month("2026-12")
    assert (december[0].isoformat(), december[-1].isoformat()) == ("2026-12-01", "2026-12-31")


def test_given_times_when_minutes_between_then_elapsed_minutes_never_negative() -> None:
    assert rf.minutes_between("2026-11-30T15:58:00+00:00", "2026-11-30T16:03:30+00:00") == 5.5
    assert rf.minutes_between("2026-11-30T16:03:00+00:00", "2026-11-30T16:00:00+00:00") == 0.0
