"""The figures a report carries (issue 15), and how a period's figures are made from its days' parts.

Pure: the store keeps, per police unit and Beijing calendar day, counters (summed over shards) and
per-case durations in minutes; this module names them and turns them into `Figures`. A month is the
sum of its days' counters and the distribution of all its days' durations (never an average of
daily medians)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Counted figures: events and money (integer fen) added up over the period.
COUNTED: tuple[str, ...] = (
    "casesReported", "casesRemote", "casesOnScene", "lettersIssued", "agreementsSigned", "disputed",
    "claimsReported", "claimsPaid", "claimsOverdue",
    "rescueOrders", "rescueEscalated",
    "directPayPatients", "insurerPaidFen", "fundAdvancedFen",
    "mediationsRequested", "mediationsAgreed", "mediationsTerminated",
)
# Timed figures: one duration in minutes per case (or per rescue order), summarised as a distribution.
TIMED: tuple[str, ...] = ("minutesEvidence", "minutesToLetter", "minutesToAccept", "minutesToArrive")

Period = Literal["DAY", "MONTH"]


class Distribution(BaseModel):
    model_config = ConfigDict(frozen=True)

    median: float | None = None
    p90: float | None = None
    count: int = 0


class Figures(BaseModel):
    """Every figure of issue 15 for one unit and period; a figure whose capability has no events reads 0."""

    model_config = ConfigDict(frozen=True)

    casesReported: int = 0
    casesRemote: int = 0
    casesOnScene: int = 0
    lettersIssued: int = 0
    agreementsSigned: int = 0
    disputed: int = 0
    claimsReported: int = 0
    claimsPaid: int = 0
    claimsOverdue: int = 0
    rescueOrders: int = 0
    rescueEscalated: int = 0
    directPayPatients: int = 0
    insurerPaidFen: int = Field(default=0, description="integer fen")
    fundAdvancedFen: int = Field(default=0, description="integer fen")
    mediationsRequested: int = 0
    mediationsAgreed: int = 0
    mediationsTerminated: int = 0
    minutesEvidence: Distribution = Distribution()
    minutesToLetter: Distribution = Distribution()
    minutesToAccept: Distribution = Distribution()
    minutesToArrive: Distribution = Distribution()


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), rounded to 0.1 minute."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return round(value, 1)


def distribution(values: Sequence[float]) -> Distribution:
    return Distribution(median=percentile(values, 0.5), p90=percentile(values, 0.9), count=len(values))


def figures(counts: Mapping[str, int], durations: Mapping[str, Iterable[float]]) -> Figures:
    """A period's figures from its summed counters and all its durations; unknown names are refused."""
    unknown = (set(counts) - set(COUNTED)) | (set(durations) - set(TIMED))
    if unknown:
        raise ValueError(f"not a report figure: {sorted(unknown)}")
    timed = {name: distribution(list(durations.get(name, ()))) for name in TIMED}
    return Figures.model_validate({name: int(counts.get(name, 0)) for name in COUNTED} | timed)


def add_counts(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counters summed over shards or days."""
    total = dict.fromkeys(COUNTED, 0)
    for part in parts:
        for name, value in part.items():
            total[name] = total.get(name, 0) + int(value)
    return total


def days_of_month(month: str) -> list[date]:
    """The calendar days of 'YYYY-MM'."""
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def minutes_between(start: str, end: str) -> float:
    """Minutes from one stored ISO time to another (never negative: a clock skew reads 0)."""
    from datetime import datetime

    elapsed = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60
    return max(0.0, round(elapsed, 2))
