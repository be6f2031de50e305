"""boto3 clients, made on first use (never at import time) and shared, from one botocore session.

One session for the process (the item models' DynamoDB client included, `store/table.py`): a
session loads the endpoint rules, retry and default-configuration data and each service model once
and keeps them (per-session loader cache); every new session reads and parses them again (ADR 0039).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_made: list[tuple[Any, Any]] = []  # (the botocore session, the one boto3 Session over it), once made
_making = threading.Lock()


@cache
def _data_loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


def _sessions() -> tuple[Any, Any]:
    # Locked: two boto3 Sessions over one botocore session would register boto3's handlers on it twice
    # (its next S3 client then fails to build).
    with _making:
        if not _made:
            import boto3
            from botocore.session import get_session

            session = get_session()
            # The parsed data files outlive a reset (tests switching endpoints, a SnapStart restore
            # dropping clients): they are botocore's own read-only JSON, not connections or credentials.
            session.register_component("data_loader", _data_loader())
            _made.append((session, boto3.session.Session(botocore_session=session)))
        return _made[0]


def botocore_session() -> Any:
    return _sessions()[0]


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    # Path-style addressing works against both S3 and the local stack's single endpoint.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"mode": "standard"})
    return _sessions()[1].client(service, config=config)


def reset_clients() -> None:
    client.cache_clear()
    with _making:
        _made.clear()
