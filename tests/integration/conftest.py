from __future__ import annotations

import pytest
from chalice.test import Client

from tests.api import Api
from tests.factories import staff_token


@pytest.fixture
def api(aws):
    from app import app
    from infra.local.requests_per_thread import requests_per_thread

    # Tests call the app from several threads at once (concurrent writers), as the local server does.
    with Client(requests_per_thread(app)) as client:
        yield Api(client)


@pytest.fixture
def officer():
    return staff_token("officer")


@pytest.fixture
def calls(aws, monkeypatch):
    """Every DynamoDB operation the code under test makes, by name."""
    import botocore.client

    made: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, params):
        if self.meta.service_model.service_name == "dynamodb":
            made.append(operation_name)
        return original(self, operation_name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return made
