from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from tests.factories import case_body, staff_token


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict


class Api:
    """The Chalice app in process, over moto; JSON in and out."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, headers: dict | None = None) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body, ensure_ascii=False)
        response = getattr(self._client.http, method.lower())(path, headers=sent, body=raw or b"")
        text = response.body.decode("utf-8") if response.body else ""
        return Reply(response.status_code, json.loads(text) if text else None, dict(response.headers))

    def create_case(self, body: dict | None = None, **headers: str) -> Reply:
        reply = self.call("POST", "/cases", staff_token("dispatcher"), body or case_body(), headers=headers)
        return reply


@pytest.fixture
def api(aws):
    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def officer():
    return staff_token("officer")
