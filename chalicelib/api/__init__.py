"""HTTP API: one blueprint per area."""

from __future__ import annotations

from chalice import Chalice


def register(app: Chalice) -> None:
    from chalicelib.api import (
        admin,
        cases,
        claims,
        determination,
        evidence,
        local,
        meta,
        portal,
        reference,
        referrals,
        rescue,
        room,
        wechat,
        well_known,
    )
    from chalicelib.api.middleware import log_requests

    areas = (meta, cases, evidence, determination, claims, rescue, portal, reference, local, wechat, admin, well_known, referrals, room)
    for module in areas:
        app.register_blueprint(module.blueprint)
    from chalicelib.api import fund

    app.register_blueprint(fund.blueprint)
    app.register_middleware(log_requests, "http")
