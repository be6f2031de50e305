"""The standby fleet's real density where a search runs, as the last search there measured it
(ADR 0024, amendment of issue 17).

One small item per geohash-4 cell (about 33 x 19 km here: a city's part), holding the density
that cell's last search observed and when. A search reads it through this container's cache and
rewrites it at most once per `OBSERVE_SECONDS` per container; nothing else writes it, so no truck
transaction gains an item. It only decides where a search starts; exactness never depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.table import TableItem, TableMeta
from chalicelib.store.ttl_cache import TtlCache

DENSITY_PRECISION = 4
# A container rereads a cell's density this often, and observes it again no sooner.
OBSERVE_SECONDS = 300.0
# An observation older than this is not used (nobody searched there for a while): the configured density is.
STALE_AFTER = timedelta(hours=1)


class StandbyDensityItem(TableItem):
    """The standby trucks per km² the last search in a geohash-4 cell observed (`TOWDENSITY#<gh4>`, `#DENSITY`)."""

    class Meta(TableMeta):
        pass

    per_km2 = NumberAttribute()
    observed_at = UnicodeAttribute()


@dataclass(frozen=True)
class Observation:
    per_km2: float | None  # None: nobody observed this cell yet
    observed_at: datetime

    def density(self, now: datetime) -> float | None:
        """The observed density while it is recent enough to trust, else None."""
        return None if self.per_km2 is None or now - self.observed_at > STALE_AFTER else self.per_km2

    def due(self, now: datetime) -> bool:
        """Whether a search should record what it observed (none yet, or not in the last minutes)."""
        return self.per_km2 is None or now - self.observed_at >= timedelta(seconds=OBSERVE_SECONDS)


_NONE = Observation(None, datetime.min.replace(tzinfo=UTC))
_cache: TtlCache[str, Observation] = TtlCache(OBSERVE_SECONDS)


def _key(cell: str) -> tuple[str, str]:
    return f"TOWDENSITY#{cell}", "#DENSITY"


def _load(cell: str) -> Observation:
    try:
        item = StandbyDensityItem.get(*_key(cell))
    except StandbyDensityItem.DoesNotExist:
        return _NONE  # kept too: a cell nobody observed is not asked again on every search
    return Observation(float(item.per_km2), datetime.fromisoformat(item.observed_at))


def of(cell: str) -> Observation:
    """The cell's last observation (from this container's cache when read in the last minutes)."""
    return _cache.get(cell, _load) or _NONE


def record(cell: str, per_km2: float, now: datetime) -> None:
    """Keep what a search observed: one PutItem, last writer wins (an estimate, not a count)."""
    StandbyDensityItem(*_key(cell), per_km2=per_km2, observed_at=now.isoformat()).save()
    _cache.put(cell, Observation(per_km2, now))
