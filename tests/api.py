"""The Chalice app in process over moto, JSON in and out: shared by integration and workflow tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from tests.factories import case_body, evidence_request, photo, staff_token, upload_object


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

    def get_bytes(self, path: str, token: str) -> Reply:
        """A reply that is not JSON (an image): its body as bytes."""
        response = self._client.http.get(path, headers={"Authorization": f"Bearer {token}"})
        return Reply(response.status_code, response.body, dict(response.headers))

    def create_case(self, body: dict | None = None, **headers: str) -> Reply:
        reply = self.call("POST", "/cases", staff_token("dispatcher"), body or case_body(), headers=headers)
        return reply

    def checklist(self, case_id: str, token: str) -> list[dict]:
        return self.call("GET", f"/cases/{case_id}", token).body["evidence"]["checklist"]

    def shoot(self, case_id: str, token: str, slot: dict, seed: int) -> str:
        """Declare a shot and upload it as a phone would (moto does not check the presigned signature)."""
        content = photo(seed)
        requested = self.call("POST", f"/cases/{case_id}/evidence", token, evidence_request(content, slot["kind"], slot["partyId"]))
        assert requested.status == 201, requested.body
        evidence_id = requested.body["evidenceId"]
        upload_object(f"uploads/{case_id}/{evidence_id}", content)
        return evidence_id

    def case_awaiting_determination(self, body: dict | None = None) -> dict:
        """A reported case with every required shot verified: the officer's queue."""
        created = self.create_case(body or case_body()).body
        token = created["parties"][0]["token"]
        for seed, slot in enumerate(self.checklist(created["caseId"], token)):
            evidence_id = self.shoot(created["caseId"], token, slot, seed)
            done = self.call("POST", f"/cases/{created['caseId']}/evidence/{evidence_id}/complete", token)
            assert done.status == 200, done.body
        assert done.body["caseStatus"] == "AWAITING_DETERMINATION"
        return created
