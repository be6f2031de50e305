"""The observed standby density (chalicelib/store/standby_density.py): used while recent, recorded
again every few minutes; and the per-container cache that keeps what this container wrote."""

from datetime import UTC, datetime, timedelta

from chalicelib.store import standby_density
from chalicelib.store.ttl_cache import TtlCache

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_recent_observation_is_used_and_not_recorded_again_yet():
    seen = standby_density.Observation(13.0, NOW - timedelta(minutes=2))
    assert seen.density(NOW) == 13.0
    assert not seen.due(NOW)


def test_an_observation_a_few_minutes_old_is_used_and_recorded_again():
    seen = standby_density.Observation(13.0, NOW - timedelta(seconds=standby_density.OBSERVE_SECONDS))
    assert seen.density(NOW) == 13.0
    assert seen.due(NOW)


def test_a_stale_or_missing_observation_is_not_used():
    assert standby_density.Observation(13.0, NOW - standby_density.STALE_AFTER - timedelta(seconds=1)).density(NOW) is None
    assert standby_density.Observation(None, NOW).density(NOW) is None
    assert standby_density.Observation(None, NOW).due(NOW)


def test_a_value_put_in_the_cache_is_returned_without_loading_until_it_expires():
    now = [100.0]
    cache: TtlCache[str, int] = TtlCache(10, clock=lambda: now[0])
    cache.put("a", 1)
    assert cache.get("a", lambda key: 2) == 1
    now[0] += 11
    assert cache.get("a", lambda key: 2) == 2
