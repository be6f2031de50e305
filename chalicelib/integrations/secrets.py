"""Application secrets: from the environment locally, from Secrets Manager in AWS (cached)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.settings import get_settings


@lru_cache(maxsize=1)
def _from_secrets_manager(secret_id: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_id, transform="json", max_age=300)
    if not isinstance(value, dict):
        raise RuntimeError("the application secret must be a JSON object")
    return value


def _secret(direct: str | None, key: str) -> str:
    if direct:
        return direct
    settings = get_settings()
    if not settings.app_secrets_id:
        raise RuntimeError(f"no {key}: set it in the environment or APP_SECRETS_ID")
    return str(_from_secrets_manager(settings.app_secrets_id)[key])


def token_secret() -> str:
    return _secret(get_settings().token_secret, "tokenSecret")


def lookup_hash_key() -> str:
    return _secret(get_settings().lookup_hash_key, "lookupHashKey")


def wechat_app_secret() -> str:
    return _secret(None, "wechatAppSecret")
