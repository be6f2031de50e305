from __future__ import annotations

import pytest
from chalice.test import Client

from tests.api import Api
from tests.factories import staff_token


@pytest.fixture
def api(aws):
    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def officer():
    return staff_token("officer")
