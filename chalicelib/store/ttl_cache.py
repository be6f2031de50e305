"""Reference data that changes rarely (insurer and partner names, officers' badges), kept per
container for a short while so a request does not read it again (issue 17 item 7).

Only what was found is kept: a code that is missing is asked again the next time, so a partner
seeded a moment ago is seen at once; a renamed one is seen within `seconds`. `clear_all()` empties
every cache (tests, and the seed after it rewrote reference data).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_CACHES: list[TtlCache] = []  # type: ignore[type-arg]


class TtlCache(Generic[K, V]):
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _CACHES.append(self)

    def get_many(self, keys: Iterable[K], load: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        """The value of each key that has one: kept ones from memory, the rest with one `load`."""
        now = self._clock()
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            kept = {k: e[1] for k in wanted if (e := self._entries.get(k)) is not None and e[0] > now}
        missing = [k for k in wanted if k not in kept]
        if not missing:
            return kept
        loaded = load(missing)
        with self._lock:
            for key, value in loaded.items():
                self._entries[key] = (now + self.seconds, value)
        return {**kept, **loaded}

    def get(self, key: K, load: Callable[[K], V | None]) -> V | None:
        def load_one(keys: list[K]) -> dict[K, V]:
            value = load(keys[0])
            return {} if value is None else {keys[0]: value}

        return self.get_many([key], load_one).get(key)

    def put(self, key: K, value: V) -> None:
        """Keep a value this container just wrote, as if it had been read now."""
        with self._lock:
            self._entries[key] = (self._clock() + self.seconds, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    for cache in _CACHES:
        cache.clear()
