"""The report rebuild's role (`infra/cdk/report_rebuild.py`, asserted on the template by
`tests/infra/test_report_rebuild_infra.py`) is enough for what the rebuild really does: every
DynamoDB call of a real rebuild (repairing a drifted day, so it puts and deletes) is an action the
role allows, on a partition its `dynamodb:LeadingKeys` patterns allow."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from fnmatch import fnmatchcase
from typing import Any

import botocore.client

from chalicelib.services.report_rebuild import rebuild
from chalicelib.store import audit, case_items, report_counters
from tests.integration.test_report_figures_kept import DAYS, UNIT, WINDOW_START, _drive, clock  # noqa: F401 (a fixture)

# (operation, index) -> the leading keys the role allows it on (infra/cdk/report_rebuild.py).
ALLOWED = {
    ("Query", None): [case_items.LEADING_KEYS, audit.LEADING_KEYS, report_counters.LEADING_KEYS],
    ("Query", "gsi2"): [case_items.DAY_LEADING_KEYS],
    ("BatchWriteItem", None): [report_counters.LEADING_KEYS],
}


def _leading_keys(operation: str, params: dict[str, Any]) -> list[str]:
    if operation == "BatchWriteItem":
        requests = [r for rs in params["RequestItems"].values() for r in rs]
        return [(r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])["pk"]["S"] for r in requests]
    # PynamoDB's key condition: `#0 = :0` (then the sort key's, if any): the first value is the partition's
    return [next(iter(params["ExpressionAttributeValues"].values()))["S"]]


def test_given_a_drifted_day_when_rebuilt_then_every_call_is_one_the_role_allows(api, officer, request, monkeypatch):
    moment = request.getfixturevalue("clock")  # imported from the figures' test
    plan = {"reported": 55, "remote": True, "evidence_minutes": 3, "letter_minutes": 4, "refused": False}
    _drive(api, officer, moment, plan, expected=Counter())
    stale = report_counters.StatsItem(report_counters.stats_key(UNIT, DAYS[0]), "TIME#minutesToLetter#GONE", minutes=3)
    stale.save()  # the rebuild must delete it

    calls: list[tuple[str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    moment["now"] = WINDOW_START + timedelta(days=3)
    done = rebuild(UNIT, DAYS[0], DAYS[-1])
    monkeypatch.undo()

    assert done.cases_read == 1 and calls
    assert {op for op, _ in calls} == {"Query", "BatchWriteItem"}
    for operation, params in calls:
        patterns = ALLOWED[(operation, params.get("IndexName"))]
        for key in _leading_keys(operation, params):
            assert any(fnmatchcase(key, pattern) for pattern in patterns), (operation, key)
    deleted = [r for _, p in calls if "RequestItems" in p for rs in p["RequestItems"].values() for r in rs if "DeleteRequest" in r]
    assert deleted  # the stale item went, through the batch write the role allows
