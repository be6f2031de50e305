"""HTTP API: one blueprint per area."""

from __future__ import annotations

from chalice import Chalice


def register(app: Chalice) -> None:
    from chalicelib.api import admin, cases, claims, determination, evidence, local, meta, portal, reference, rescue, wechat
    from chalicelib.api.middleware import log_requests

    for module in (meta, cases, evidence, determination, claims, rescue, portal, reference, local, wechat, admin):
        app.register_blueprint(module.blueprint)
    from chalicelib.api import room

    app.register_blueprint(room.blueprint)
    from chalicelib.api import video

    app.register_blueprint(video.blueprint)
    app.register_middleware(log_requests, "http")
