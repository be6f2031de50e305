"""Reading a case costs its state, not its history: the audit log lives on its own partition."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.client
import pytest

from chalicelib.domain.principals import Principal, Role
from chalicelib.store import audit
from chalicelib.store import cases as store
from tests.factories import case_body, staff_token

OFFICER = Principal(subject="O1", role=Role.OFFICER, jurisdiction="320900")
PER_WRITE = 99  # a TransactWrite holds 100 items: the case and 99 audit entries


@contextmanager
def dynamodb_items_read() -> Iterator[dict[str, int]]:
    """Counts the items DynamoDB reads (ScannedCount of Queries, found GetItems) while the block runs."""
    counted = {"items": 0, "calls": 0}
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):  # type: ignore[no-untyped-def]
        reply = original(self, operation, params)
        if self.meta.service_model.service_name == "dynamodb" and operation in ("Query", "GetItem", "BatchGetItem", "Scan"):
            counted["calls"] += 1
            counted["items"] += reply.get("ScannedCount", reply.get("Count", 1 if "Item" in reply else 0))
        return reply

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield counted
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def _case_with_history(api, entries: int) -> str:
    """A reported case whose audit log holds `entries` entries (the report is the first)."""
    case_id = api.create_case(case_body()).body["caseId"]
    remaining = entries - 1
    while remaining:
        batch = min(remaining, PER_WRITE)
        store.mutate(OFFICER, case_id, lambda record, n=batch: [store.Change(action="NOTE", detail={"n": i}) for i in range(n)])
        remaining -= batch
    return case_id


@pytest.fixture
def short_and_long(api):
    return _case_with_history(api, 5), _case_with_history(api, 500)


def test_given_35_and_500_audit_entries_when_the_case_is_read_then_the_same_items_are_read(api, short_and_long):
    short, long = short_and_long
    just_over = _case_with_history(api, audit.RECENT + 5)
    officer = staff_token("officer")
    reads = {}
    for case_id in (short, just_over, long):
        with dynamodb_items_read() as counted:
            reply = api.call("GET", f"/cases/{case_id}", officer)
        assert reply.status == 200
        reads[case_id] = counted
    assert reads[just_over] == reads[long]
    # The case and its two parties, then the timeline's latest entries from the log: whatever its history.
    assert reads[long] == {"calls": 2, "items": 3 + audit.RECENT}
    assert reads[short] == {"calls": 2, "items": 3 + 5}


def test_given_a_long_history_then_the_view_shows_the_latest_and_the_timeline_pages_through_all(api, short_and_long):
    short, long = short_and_long
    officer = staff_token("officer")
    view = api.call("GET", f"/cases/{long}", officer).body
    assert len(view["timeline"]) == audit.RECENT and view["timelineComplete"] is False
    assert view["timeline"][-1]["action"] == "NOTE"
    assert api.call("GET", f"/cases/{short}", officer).body["timelineComplete"] is True

    seen, token = [], None
    while True:
        page = api.call("GET", f"/cases/{long}/timeline?limit=200" + (f"&nextToken={token}" if token else ""), officer).body
        seen += page["entries"]
        token = page.get("nextToken")
        if not token:
            break
    assert len(seen) == 500
    assert seen[0]["action"] == "CASE_REPORTED" and seen[0]["text"] == "事故已受理"
    assert [e["at"] for e in seen] == sorted(e["at"] for e in seen)


def test_given_a_long_history_then_the_audit_log_still_verifies_every_entry(api, short_and_long):
    _, long = short_and_long
    log = api.call("GET", f"/cases/{long}/audit", staff_token("officer")).body
    assert log["verification"] == {"valid": True, "entries": 500, "brokenAt": None, "reason": None}


def test_given_a_party_of_another_case_then_its_timeline_is_not_found(api, short_and_long):
    short, _ = short_and_long
    other_party = api.create_case(case_body()).body["parties"][0]["token"]
    assert api.call("GET", f"/cases/{short}/timeline", other_party).status == 404


def test_given_a_change_when_mutated_then_the_written_record_is_returned_without_a_second_read(api):
    case_id = api.create_case(case_body()).body["caseId"]
    record = store.load_for(OFFICER, case_id)
    with dynamodb_items_read() as counted:
        written = store.mutate(OFFICER, case_id, lambda r: store.Change(action="NOTE", new_status="AWAITING_DETERMINATION"),
                               read=record)
    assert counted["calls"] == 0  # the caller's read was used; the write is not a read
    assert written.record.case.status == "AWAITING_DETERMINATION"
    assert int(written.record.case.version) == int(store.load(case_id).case.version)
