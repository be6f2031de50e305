"""HTTP API: one blueprint per area."""

from __future__ import annotations

from chalice import Chalice


def register(app: Chalice) -> None:
    from chalicelib.api import admin, cases, claims, determination, evidence, local, meta, portal, reference, rescue, wechat, well_known
    from chalicelib.api import referrals as referral_routes
    from chalicelib.api.middleware import log_requests

    for module in (meta, cases, evidence, determination, claims, rescue, portal, reference, local, wechat, admin, well_known):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(referral_routes.blueprint)
    app.register_middleware(log_requests, "http")
