"""The Chalice app answering several requests at once in one process, each with its own request.

Chalice keeps `app.current_request` on the app object: in Lambda one container serves one request
at a time, so that is safe there. A process that serves requests on several threads (the local
stack's server, tests that call the app from threads) must give each thread its own, as Chalice's
own `chalice local` does with `LocalChalice`; otherwise a handler can read another thread's request
and, say, post another person's room message under its Idempotency-Key.
"""

from __future__ import annotations

from chalice import Chalice
from chalice.local import LocalChalice


def requests_per_thread(app: Chalice) -> Chalice:
    """Make `app.current_request` a per-thread value (idempotent); returns the app."""
    if not isinstance(app, LocalChalice):
        app.__class__ = type(f"PerThread{type(app).__name__}", (LocalChalice, type(app)), {})
    return app
