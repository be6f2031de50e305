"""Lambda SnapStart for the API (ADR 0037): load before the snapshot what a first request would;
after each restore, drop what must be fresh or unique per environment.

`register_hooks()` runs at `import app` and does nothing unless Lambda initialises the function
to take a snapshot (`AWS_LAMBDA_INITIALIZATION_TYPE == "snap-start"`): an on-demand cold start,
the local stack and the tests import nothing more, and the priming itself runs in the
before-snapshot hook, never at import.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import random

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"
# The services the API calls through `integrations.aws.client` (its role's grants, infra/cdk/api.py;
# it sends no SMS). DynamoDB goes through PynamoDB, one connection per item model.
API_CLIENTS = ("s3", "stepfunctions", "secretsmanager", "chime-sdk-meetings", "chime-sdk-media-pipelines")
# What the routes import on first use: the services, which bring the store, domain, integrations
# and documents they need.
DEFERRED_PACKAGES = ("chalicelib.services",)


def register_hooks() -> bool:
    """Register `prime` and `after_restore` with the runtime's hooks; True if it did."""
    if os.environ.get(INITIALIZATION_TYPE) != SNAP_START:
        return False
    try:
        # Shipped only in Lambda's managed Python runtimes (3.12+).
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        from chalicelib.observability import logger

        logger.warning("snap-start init without snapshot_restore_py: nothing primed")
        return False
    register_before_snapshot(prime)
    register_after_restore(after_restore)
    return True


def prime() -> None:
    """Import and build what the first requests would, opening no socket: the deferred modules,
    every route's contracts (their pydantic validators), the token verifiers' libraries, and the
    AWS clients (service models loaded, no call made)."""
    _import_deferred_modules()
    _build_contracts()
    _load_token_verifiers()
    _create_clients()


def after_restore() -> None:
    """Every environment restored from one snapshot starts with the same memory: reseed what
    must differ, drop what must not be shared or reused."""
    from chalicelib.integrations.aws import reset_clients
    from chalicelib.store import ttl_cache
    from chalicelib.store.table import reset_connections

    random.seed()  # from the OS: retries' jitter (services/delivery.py) differs between environments
    reset_clients()  # no pooled socket or credentials from the snapshot is reused
    reset_connections()
    ttl_cache.clear_all()  # reference data is read fresh, not as it was when the version was published


def _import_deferred_modules() -> None:
    for name in DEFERRED_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(module.name)


def _build_contracts() -> None:
    from chalicelib.api.routing import OPERATIONS, resolve

    for operation in OPERATIONS:
        for ref in (operation.body, operation.reply, operation.query):
            if ref is not None:
                model = resolve(ref)
                if not model.__pydantic_complete__:  # a deferred build
                    model.model_rebuild()


def _load_token_verifiers() -> None:
    # PyJWT loads `cryptography`; Cognito's RS256 keys need its RSA support (first staff request).
    import cryptography.hazmat.primitives.asymmetric.rsa  # noqa: F401
    import jwt  # noqa: F401

    import chalicelib.integrations.cognito
    import chalicelib.integrations.secrets  # noqa: F401


def _create_clients() -> None:
    from chalicelib.integrations.aws import client
    from chalicelib.store.table import item_models

    for service in API_CLIENTS:
        client(service)
    for model in item_models():  # every item model has its own connection (its own indexes)
        model._get_connection().connection.client  # noqa: B018 - builds the botocore client, calls nothing
