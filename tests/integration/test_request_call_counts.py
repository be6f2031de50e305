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


def _determine(api, officer, case_id: str, party_id: str):  # type: ignore[no-untyped-def]
    return api.call("POST", f"/cases/{case_id}/determination", officer,
                    {"scenario": "REAR_END", "atFaultPartyId": party_id, "facts": "甲方追撞乙方车辆尾部。"})


def test_given_an_officer_seen_by_the_container_when_determining_then_at_most_three_dynamodb_calls(api, officer, monkeypatch):
    cases = [api.case_awaiting_determination(case_body()) for _ in range(2)]
    calls = _counting(monkeypatch)
    per_request = []
    for created in cases:
        calls.clear()
        reply = _determine(api, officer, created["caseId"], created["parties"][0]["partyId"])
        assert reply.status == 201, reply.body
        per_request.append(dict(calls))
    # The first letter of the container reads the officer's badge once (4 calls); later ones do not:
    # the case Query, the calendar Query and the transaction.
    assert sum(per_request[0].values()) <= MAX_CALLS + 1, per_request
    assert sum(per_request[1].values()) <= MAX_CALLS, per_request
    assert "BatchGetItem" not in per_request[0], per_request  # insurer names were read when the case was reported
