"""Health and the API description."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.routing import json_response, operation

blueprint = Blueprint(__name__)


@operation(blueprint, "/health", "GET", summary="200 once the API, its table and its seed data are ready", roles=None)
def health() -> Response:
    from chalicelib.store import reference

    ready = reference.seeded()
    return json_response({"status": "ok" if ready else "starting", "seeded": ready}, 200 if ready else 503)


@operation(blueprint, "/openapi.json", "GET", summary="This document", roles=None)
def openapi() -> Response:
    from chalicelib.api.openapi import document

    return json_response(document())
