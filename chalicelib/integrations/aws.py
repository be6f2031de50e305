"""boto3 clients, made on first use (never at import time) and shared, from one botocore session.

One session for the process (the item models' DynamoDB client included, `store/table.py`): a
session loads the endpoint rules, retry and default-configuration data and each service model once
and keeps them (per-session loader cache); every new session reads and parses them again (ADR 0039).
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _data_loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


@cache
def botocore_session() -> Any:
    from botocore.session import get_session

    session = get_session()
    # The parsed data files outlive a reset (tests switching endpoints, a SnapStart restore dropping
    # clients): they are botocore's own read-only JSON, not connections or credentials.
    session.register_component("data_loader", _data_loader())
    return session


@cache
def _boto3_session() -> Any:
    import boto3

    # One boto3 session over it: each one registers boto3's handlers on the botocore session again.
    return boto3.session.Session(botocore_session=botocore_session())


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    # Path-style addressing works against both S3 and the local stack's single endpoint.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"mode": "standard"})
    return _boto3_session().client(service, config=config)


def reset_clients() -> None:
    client.cache_clear()
    _boto3_session.cache_clear()
    botocore_session.cache_clear()
