"""Documents published for anyone at `/.well-known/`: the direct-pay QR public keys."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.routing import json_response, operation

blueprint = Blueprint(__name__)

# Hospitals fetch the keys once and verify offline; a retired key stays published for a token's
# whole validity, so a few minutes of caching never hides a key a valid token needs.
KEYS_CACHE = "public, max-age=300"


@operation(
    blueprint,
    "/.well-known/medical-qr-keys",
    "GET",
    summary="The public keys (JWK set, Ed25519) that verify direct-pay QR tokens, by key id",
    roles=None,
)
def medical_qr_keys() -> Response:
    from chalicelib.integrations import qr_keys

    return json_response(qr_keys.published(), headers={"Cache-Control": KEYS_CACHE})
