"""Page tokens: a DynamoDB LastEvaluatedKey, opaque to the client and checked on the way back."""

from __future__ import annotations

import base64
import json

from chalicelib.errors import ValidationFailed


def decode(token: str | None) -> dict | None:
    if not token:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationFailed("is not a token this API issued", field="nextToken") from error
    if not isinstance(value, dict):
        raise ValidationFailed("is not a token this API issued", field="nextToken")
    return value


def encode(key: dict | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode() if key else None
