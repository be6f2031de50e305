"""HTTP API: one blueprint per area."""

from __future__ import annotations

from chalice import Chalice


def register(app: Chalice) -> None:
    from chalicelib.api import meta

    app.register_blueprint(meta.blueprint)
