"""The per-container cache of rarely changing reference data (issue 17 item 7)."""

from __future__ import annotations

from chalicelib.store.ttl_cache import TtlCache, clear_all


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_given_kept_values_when_asked_within_the_ttl_then_only_the_missing_are_loaded():
    clock, loads = Clock(), []
    cache: TtlCache[str, str] = TtlCache(60, clock)

    def load(keys: list[str]) -> dict[str, str]:
        loads.append(keys)
        return {k: k.upper() for k in keys if k != "gone"}

    assert cache.get_many(["a", "b"], load) == {"a": "A", "b": "B"}
    assert cache.get_many(["b", "c", "gone"], load) == {"b": "B", "c": "C"}
    assert cache.get_many(["gone"], load) == {}  # a missing key is asked again, never kept
    assert loads == [["a", "b"], ["c", "gone"], ["gone"]]


def test_given_the_ttl_passed_or_caches_cleared_when_asked_then_loaded_again():
    clock, loads = Clock(), []
    cache: TtlCache[str, str] = TtlCache(60, clock)

    def load(key: str) -> str:
        loads.append(key)
        return f"v{len(loads)}"

    assert cache.get("x", load) == "v1"
    clock.now = 59.0
    assert cache.get("x", load) == "v1"
    clock.now = 60.5
    assert cache.get("x", load) == "v2"
    clear_all()
    assert cache.get("x", load) == "v3"
