"""HTTP API: one blueprint per area."""

from __future__ import annotations

from chalice import Chalice


def register(app: Chalice) -> None:
    from chalicelib.api import (
        admin,
        cases,
        claims,
        determination,
        disputes,
        evidence,
        fund,
        local,
        medical,
        meta,
        portal,
        reference,
        referrals,
        reports,
        rescue,
        room,
        video,
        wechat,
        well_known,
    )
    from chalicelib.api.middleware import log_requests

    for module in (
        *(meta, cases, evidence, determination, claims, rescue, portal, reference, local, wechat, admin),
        *(well_known, referrals, room, fund, disputes, medical, video),
        reports,
    ):
        app.register_blueprint(module.blueprint)
    app.register_middleware(log_requests, "http")
