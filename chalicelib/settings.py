"""Settings read from the environment, once, on first use (never at import time)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    stage: str = Field(default="local", alias="STAGE")
    table_name: str = Field(default="yunchetong-local", alias="TABLE_NAME")
    evidence_bucket: str = Field(default="yunchetong-local-evidence", alias="EVIDENCE_BUCKET")
    # Secrets: given directly in the local stack and tests, or read from a Secrets Manager JSON
    # secret (`{"tokenSecret": ..., "lookupHashKey": ...}`) named by APP_SECRETS_ID in AWS.
    token_secret: str | None = Field(default=None, alias="TOKEN_SECRET")
    lookup_hash_key: str | None = Field(default=None, alias="LOOKUP_HASH_KEY")
    app_secrets_id: str | None = Field(default=None, alias="APP_SECRETS_ID")
    public_base_url: str = Field(default="http://127.0.0.1:8000", alias="PUBLIC_BASE_URL")
    party_token_days: int = Field(default=7, alias="PARTY_TOKEN_DAYS", ge=1, le=90)
    staff_token_hours: int = Field(default=12, alias="STAFF_TOKEN_HOURS", ge=1, le=72)
    upload_url_seconds: int = Field(default=600, alias="UPLOAD_URL_SECONDS", ge=60, le=3600)
    evidence_retention_days: int = Field(default=3650, alias="EVIDENCE_RETENTION_DAYS", ge=1)
    idempotency_hours: int = Field(default=24, alias="IDEMPOTENCY_HOURS", ge=1, le=168)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
