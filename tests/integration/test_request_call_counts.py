"""DynamoDB calls per request where parties and officers wait (issue 17 item 7), counted at botocore."""

from __future__ import annotations

from collections import Counter

import botocore.client

from tests.factories import case_body

MAX_CALLS = 3


def _counting(monkeypatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):  # type: ignore[no-untyped-def]
        if self.meta.service_model.service_name == "dynamodb":
            calls[operation] += 1
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def test_given_shots_when_each_evidence_completion_then_at_most_three_dynamodb_calls(api, monkeypatch):
    created = api.create_case(case_body()).body
    case_id, token = created["caseId"], created["parties"][0]["token"]
    calls = _counting(monkeypatch)
    per_request = []
    for seed, slot in enumerate(api.checklist(case_id, token)):
        evidence_id = api.shoot(case_id, token, slot, seed)
        calls.clear()
        done = api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
        assert done.status == 200, done.body
        per_request.append(dict(calls))
    assert done.body["caseStatus"] == "AWAITING_DETERMINATION"
    assert all(sum(c.values()) <= MAX_CALLS for c in per_request), per_request
