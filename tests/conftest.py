"""Shared fixtures: a fake AWS (moto, in process) with the table, bucket and seed in place."""

from __future__ import annotations

import os

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-east-1",
        "AWS_REGION": "ap-east-1",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_DISABLED": "1",
        "TABLE_NAME": "yunchetong-test",
        "EVIDENCE_BUCKET": "yunchetong-test-evidence",
        "DOCUMENTS_BUCKET": "yunchetong-test-documents",
        "TOKEN_SECRET": "test-token-secret-of-sufficient-length-0123456789",
        "LOOKUP_HASH_KEY": "test-lookup-key",
        "PUBLIC_BASE_URL": "https://h5.example.test",
        "WECHAT_TOKEN": "test-wechat-token",
        "WECHAT_APP_ID": "wx1234567890test",
        "WECHAT_ENCODING_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture
def aws():
    """A fresh in-process AWS per test: table, evidence bucket and reference data."""
    from moto import mock_aws

    from chalicelib.integrations.aws import reset_clients
    from chalicelib.settings import reset_settings
    from chalicelib.store import models, seed
    from infra.local import resources

    reset_settings()
    reset_clients()
    models.reset_connections()
    # Step Functions runs definitions for real (workflow tests); nothing starts one unless a test asks.
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        resources.ensure_all()
        seed.seed()
        yield
    reset_clients()
