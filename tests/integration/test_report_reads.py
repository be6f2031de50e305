"""Reading a unit's report figures (chalicelib/store/report_reads.py): one Query per unit-day,
counters summed over shards, durations kept per figure; a month is its days, never a Scan."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.report_figures import days_of_month, distribution
from tests.report_items import seed_day

UNIT = "320900"
DAY = date(2026, 10, 31)


def test_given_a_sharded_day_when_its_parts_are_read_then_counts_are_summed_and_durations_kept(aws):
    from chalicelib.store.report_reads import day_parts

    seed_day(UNIT, DAY, {"casesReported": 7, "insurerPaidFen": 123_456}, {"minutesToLetter": [3.5, 4.0, 12.25]}, shards=5)
    seed_day("320200", DAY, {"casesReported": 100})  # another unit's day: not read

    counts, durations = day_parts(UNIT, DAY)

    assert counts["casesReported"] == 7 and counts["insurerPaidFen"] == 123_456 and counts["disputed"] == 0
    assert sorted(durations["minutesToLetter"]) == [3.5, 4.0, 12.25]
    assert durations["minutesEvidence"] == []


def test_given_a_day_without_items_when_read_then_every_figure_reads_zero(aws):
    from chalicelib.store.report_reads import period_figures

    figures = period_figures(UNIT, [DAY])

    assert figures.casesReported == 0 and figures.minutesToLetter.count == 0 and figures.minutesToLetter.median is None


def test_given_days_across_a_month_end_when_the_month_is_read_then_only_its_days_count(aws, calls):
    from chalicelib.store.report_reads import period_figures

    seed_day(UNIT, date(2026, 10, 1), {"casesReported": 2}, {"minutesToLetter": [1.0, 2.0]})
    seed_day(UNIT, date(2026, 10, 31), {"casesReported": 3}, {"minutesToLetter": [10.0, 20.0, 30.0]})
    seed_day(UNIT, date(2026, 11, 1), {"casesReported": 50}, {"minutesToLetter": [99.0]})
    calls.clear()

    figures = period_figures(UNIT, days_of_month("2026-10"))

    assert figures.casesReported == 5
    # the month's distribution is made of all its durations, never an average of daily medians
    assert figures.minutesToLetter == distribution([1.0, 2.0, 10.0, 20.0, 30.0])
    assert calls == ["Query"] * 31  # one Query per day, whatever the number of cases ever handled


def test_given_a_busy_day_when_read_then_it_is_still_one_query_per_page(aws, calls):
    from chalicelib.store.report_reads import day_parts

    seed_day(UNIT, DAY, {"casesReported": 300}, {"minutesToLetter": [float(i) for i in range(300)]})
    calls.clear()

    _, durations = day_parts(UNIT, DAY)

    assert len(durations["minutesToLetter"]) == 300
    assert set(calls) == {"Query"} and "Scan" not in calls


def test_given_a_week_when_each_days_parts_are_read_then_each_day_has_its_own_counts(aws):
    from chalicelib.store.report_reads import days_parts

    days = [date(2026, 10, d) for d in range(1, 8)]
    for n, day in enumerate(days):
        seed_day(UNIT, day, {"casesReported": n})

    parts = days_parts(UNIT, days)

    assert [(day, parts[day][0].get("casesReported", 0)) for day in days] == list(zip(days, range(7), strict=True))
