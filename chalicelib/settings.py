"""Settings read from the environment, once, on first use (never at import time).

Plain pydantic over `os.environ` (each field's alias is its variable): pydantic-settings would
add argparse, asyncio and dotenv to every cold start for nothing we use.
"""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    stage: str = Field(default="local", alias="STAGE")
    table_name: str = Field(default="yunchetong-local", alias="TABLE_NAME")
    evidence_bucket: str = Field(default="yunchetong-local-evidence", alias="EVIDENCE_BUCKET")
    documents_bucket: str = Field(default="yunchetong-local-documents", alias="DOCUMENTS_BUCKET")
    download_url_seconds: int = Field(default=300, alias="DOWNLOAD_URL_SECONDS", ge=30, le=3600)
    document_retention_days: int = Field(default=3650, alias="DOCUMENT_RETENTION_DAYS", ge=1)
    insurer_secret_prefix: str = Field(default="yunchetong/local/insurers", alias="INSURER_SECRET_PREFIX")
    secret_grace_hours: int = Field(default=24, alias="SECRET_GRACE_HOURS", ge=0, le=720)
    delivery_max_attempts: int = Field(default=8, alias="DELIVERY_MAX_ATTEMPTS", ge=1, le=20)
    delivery_base_seconds: float = Field(default=5.0, alias="DELIVERY_BASE_SECONDS", gt=0, le=600)
    delivery_max_backoff_seconds: float = Field(default=3600.0, alias="DELIVERY_MAX_BACKOFF_SECONDS", gt=0)
    delivery_timeout_seconds: float = Field(default=5.0, alias="DELIVERY_TIMEOUT_SECONDS", gt=0, le=30)
    evidence_link_seconds: int = Field(default=86400, alias="EVIDENCE_LINK_SECONDS", ge=60, le=604800)
    sms_provider: str = Field(default="local", alias="SMS_PROVIDER", pattern="^(local|sns)$")
    wechat_token: str = Field(default="yunchetong-local-token", alias="WECHAT_TOKEN")
    wechat_app_id: str = Field(default="wx0000000000local", alias="WECHAT_APP_ID")
    wechat_encoding_aes_key: str | None = Field(default=None, alias="WECHAT_ENCODING_AES_KEY")
    wechat_previous_encoding_aes_key: str | None = Field(default=None, alias="WECHAT_PREVIOUS_ENCODING_AES_KEY")
    wechat_oauth: str = Field(default="local", alias="WECHAT_OAUTH", pattern="^(local|wechat)$")
    # Who asks WeChat for the access token: "here" (this process, when the shared one is due), or
    # "refresher" (only the in-VPC function whose fixed address WeChat whitelists; ADR 0034).
    wechat_token_fetch: str = Field(default="here", alias="WECHAT_TOKEN_FETCH", pattern="^(here|refresher)$")
    province: str = Field(default="GD", alias="SCENARIO_PROVINCE", description="which scenario catalogue applies")
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
    # Accidents older than this are not taken by the remote intake (ADR 0013): Order 146 Art.20
    # lets parties who left the scene ask the police online, and a simple-procedure letter may be
    # made within 3 days (Art.24); later reports go through Art.18's acceptance check.
    reporting_limit_hours: int = Field(default=72, alias="REPORTING_LIMIT_HOURS", ge=1, le=30 * 24)
    idempotency_hours: int = Field(default=24, alias="IDEMPOTENCY_HOURS", ge=1, le=168)
    # One-click rescue: the workflow's waits travel in its input, so configuration (and tests)
    # shorten them without touching the definition.
    rescue_state_machine_arn: str | None = Field(default=None, alias="RESCUE_STATE_MACHINE_ARN")
    rescue_offer_seconds: int = Field(default=120, alias="RESCUE_OFFER_SECONDS", ge=1, le=3600)
    rescue_completion_seconds: int = Field(default=4 * 3600, alias="RESCUE_COMPLETION_SECONDS", ge=1, le=86400)
    rescue_alert_seconds: int = Field(default=600, alias="RESCUE_ALERT_SECONDS", ge=1, le=86400)
    rescue_max_alerts: int = Field(default=3, alias="RESCUE_MAX_ALERTS", ge=1, le=20)
    rescue_arrival_seconds: int | None = Field(
        default=None, alias="RESCUE_ARRIVAL_SECONDS", ge=1, le=86400, description="fixed wait for arrival; unset: the ETA plus grace"
    )
    # Injury direct pay: the workflow's waits travel in its input (ADR 0018); unset values follow
    # config/medical.json (QR validity, the fund window).
    medical_state_machine_arn: str | None = Field(default=None, alias="MEDICAL_STATE_MACHINE_ARN")
    medical_approval_seconds: int = Field(default=24 * 3600, alias="MEDICAL_APPROVAL_SECONDS", ge=1, le=7 * 86400)
    medical_qr_validity_seconds: int | None = Field(default=None, alias="MEDICAL_QR_VALIDITY_SECONDS", ge=1, le=7 * 86400)
    medical_billing_seconds: int | None = Field(default=None, alias="MEDICAL_BILLING_SECONDS", ge=1, le=30 * 86400)
    # Request bodies over this are refused (413) before parsing; evidence goes to S3 directly.
    max_body_bytes: int = Field(default=256 * 1024, alias="MAX_BODY_BYTES", ge=1024, le=10 * 1024 * 1024)
    # One-time join codes texted (POST /wechat/join/code), per phone and per case; a case's
    # limits are higher because its parties join at the same time at the scene.
    join_code_per_minute: int = Field(default=1, alias="JOIN_CODE_PER_MINUTE", ge=1, le=1000)
    join_code_per_day: int = Field(default=5, alias="JOIN_CODE_PER_DAY", ge=1, le=10000)
    join_code_case_per_minute: int = Field(default=3, alias="JOIN_CODE_CASE_PER_MINUTE", ge=1, le=1000)
    join_code_case_per_day: int = Field(default=15, alias="JOIN_CODE_CASE_PER_DAY", ge=1, le=10000)
    # Direct pay (ADR 0017): the QR signing keys' secret, and how long a QR token is valid (the
    # first emergency visit within 24 h); a retired key stays published that long after rotation.
    medical_qr_secret_id: str = Field(default="yunchetong/local/medical-qr-keys", alias="MEDICAL_QR_SECRET_ID")
    medical_qr_valid_hours: int = Field(default=24, alias="MEDICAL_QR_VALID_HOURS", ge=1, le=7 * 24)
    # The case rooms' WebSocket API (AWS): where the push function posts to connections.
    room_socket_endpoint: str | None = Field(default=None, alias="ROOM_SOCKET_ENDPOINT")
    # The road rescue fund's review (fund-<id> runs): the reminder and the escalation are timed
    # from the working-day calendar; a fixed number of seconds here replaces that (tests, demos).
    fund_state_machine_arn: str | None = Field(default=None, alias="FUND_STATE_MACHINE_ARN")
    fund_reminder_seconds: int | None = Field(default=None, alias="FUND_REMINDER_SECONDS", ge=1, le=30 * 86400)
    fund_escalation_seconds: int | None = Field(default=None, alias="FUND_ESCALATION_SECONDS", ge=1, le=30 * 86400)
    fund_supervisor_seconds: int = Field(default=30 * 86400, alias="FUND_SUPERVISOR_SECONDS", ge=1, le=365 * 86400)
    # Staff and partner sign-in through a Cognito user pool (ADR 0025); unset: local tokens only.
    cognito_issuer: str | None = Field(default=None, alias="COGNITO_ISSUER", pattern=r"^https://\S+$")
    cognito_sign_in_client_id: str | None = Field(default=None, alias="COGNITO_SIGN_IN_CLIENT_ID")
    cognito_insurer_clients: str = Field(default="{}", alias="COGNITO_INSURER_CLIENTS", description="JSON: insurer code -> client id")
    cognito_resource_server: str = Field(default="yunchetong", alias="COGNITO_RESOURCE_SERVER")
    cognito_keys_refresh_seconds: float = Field(default=60.0, alias="COGNITO_KEYS_REFRESH_SECONDS", ge=0, le=3600)
    # Case room video (ADR 0026): "chime" in AWS; "none" locally, where opening a session is 501.
    video_provider: str = Field(default="none", alias="VIDEO_PROVIDER", pattern="^(none|chime)$")
    video_media_region: str = Field(default="ap-southeast-1", alias="VIDEO_MEDIA_REGION")
    # The recording's writer: the role the media pipeline assumes to encrypt with the data key.
    video_sink_role_arn: str | None = Field(default=None, alias="VIDEO_SINK_ROLE_ARN")
    video_kms_key_arn: str | None = Field(default=None, alias="VIDEO_KMS_KEY_ARN")
    # Published reports (ADR 0028): a versioned bucket of their own; a re-run adds a version.
    reports_bucket: str = Field(default="yunchetong-local-reports", alias="REPORTS_BUCKET")

    @classmethod
    def from_environment(cls) -> Settings:
        return cls.model_validate(dict(os.environ))


@cache
def get_settings() -> Settings:
    return Settings.from_environment()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
