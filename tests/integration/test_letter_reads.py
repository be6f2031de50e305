"""Evidence complete → letter: the determination reads the case once (issue 17 item 2)."""

from __future__ import annotations

import json

import botocore.client

from tests.factories import case_body


def test_given_a_case_awaiting_determination_when_determined_then_its_partition_is_read_once(api, officer, monkeypatch):
    created = api.case_awaiting_determination(case_body())
    case_id, first = created["caseId"], created["parties"][0]["partyId"]
    case_reads: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):  # type: ignore[no-untyped-def]
        if self.meta.service_model.service_name == "dynamodb" and operation in ("Query", "GetItem", "BatchGetItem"):
            if case_id in json.dumps(params.get("ExpressionAttributeValues", params.get("Key", {}))):
                case_reads.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    reply = api.call("POST", f"/cases/{case_id}/determination", officer,
                     {"scenario": "REAR_END", "atFaultPartyId": first, "facts": "甲方追撞乙方车辆尾部。"})
    assert reply.status == 201, reply.body
    assert case_reads == ["Query"]
