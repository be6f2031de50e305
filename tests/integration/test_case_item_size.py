"""The case item stays small (ADR 0040, "The case item"): it is rewritten in a transaction with every
change, so the timeline is read from the audit log and the determination lives on an item of its own,
while the case view shows the same."""

from __future__ import annotations

from bench.dynamodb_units import item_size
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from chalicelib.store import audit
from chalicelib.store import cases as store
from tests.factories import case_body, staff_token
from tests.integration.dispute_steps import sign
from tests.integration.test_case_read_cost import OFFICER, dynamodb_items_read

MAX_CASE_ITEM_BYTES = 1536


def _raw_case_item(case_id: str) -> dict:
    key = {"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "#CASE"}}
    return client("dynamodb").get_item(TableName=get_settings().table_name, Key=key, ConsistentRead=True)["Item"]


def _notes(case_id: str, count: int) -> None:
    """`count` changes, each with its own action so the order shows."""
    store.mutate(OFFICER, case_id, lambda record: [store.Change(action=f"NOTE_{n:02d}") for n in range(count)])


def _whole_timeline(api, case_id: str, token: str) -> list[dict]:
    return api.call("GET", f"/cases/{case_id}/timeline?limit=200", token).body["entries"]


def test_given_more_entries_than_the_view_shows_then_its_timeline_is_the_latest_oldest_first(api):
    officer = staff_token("officer")
    case_id = api.create_case(case_body()).body["caseId"]
    _notes(case_id, audit.RECENT + 10)
    view = api.call("GET", f"/cases/{case_id}", officer).body
    whole = _whole_timeline(api, case_id, officer)
    assert len(whole) == audit.RECENT + 11
    assert view["timeline"] == whole[-audit.RECENT:]
    assert [e["action"] for e in view["timeline"]][-2:] == [f"NOTE_{audit.RECENT + 8:02d}", f"NOTE_{audit.RECENT + 9:02d}"]
    assert view["timeline"][-1]["actorRole"] == "officer" and view["timelineComplete"] is False


def test_given_fewer_entries_than_the_view_shows_then_its_timeline_is_all_of_them(api):
    officer = staff_token("officer")
    created = api.create_case(case_body()).body
    view = api.call("GET", f"/cases/{created['caseId']}", officer).body
    assert view["timeline"] == _whole_timeline(api, created["caseId"], officer)
    assert [e["action"] for e in view["timeline"]] == ["CASE_REPORTED"] and view["timelineComplete"] is True
    assert view["timeline"][0]["text"] == "事故已受理" and view["timeline"][0]["actorRole"] == "dispatcher"


def test_given_a_case_view_then_two_dynamodb_calls_the_case_and_its_latest_entries(api):
    officer = staff_token("officer")
    case_id = api.create_case(case_body()).body["caseId"]
    _notes(case_id, audit.RECENT + 10)
    with dynamodb_items_read() as counted:
        assert api.call("GET", f"/cases/{case_id}", officer).status == 200
    assert counted["calls"] == 2
    assert counted["items"] == 3 + audit.RECENT  # the case, its two parties, the entries shown


def test_given_a_full_flow_and_a_long_history_then_the_stored_case_item_stays_small(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    payload = {"scenario": "REAR_END", "facts": "甲方车辆在解放南路由南向北行驶时追撞前方乙方车辆尾部。" * 4,
               "atFaultPartyId": created["parties"][0]["partyId"]}
    assert api.call("POST", f"/cases/{case_id}/determination", officer, payload).status == 201
    sign(api, created, 0)
    sign(api, created, 1)
    _notes(case_id, audit.RECENT + 10)
    stored = _raw_case_item(case_id)
    assert "recent" not in stored and "determination" not in stored
    assert item_size(stored) < MAX_CASE_ITEM_BYTES, item_size(stored)
    view = api.call("GET", f"/cases/{case_id}", officer).body
    assert view["determination"]["facts"] == payload["facts"] and view["status"] == "CONFIRMED"
    assert set(view["determination"]["partyDeadlines"]) == {p["partyId"] for p in created["parties"]}


def test_given_a_case_item_written_with_a_recent_list_then_it_reads_the_same_and_drops_it_on_the_next_change(api):
    officer = staff_token("officer")
    case_id = api.create_case(case_body()).body["caseId"]
    _notes(case_id, 3)
    kept = [{"M": {"at": {"S": "2026-01-01T00:00:00.000+00:00"}, "action": {"S": "CASE_REPORTED"}, "actor": {"S": "dispatcher:D1"}}},
            {"S": "2026-01-01T00:00:01.000+00:00 NOTE_00 officer"}]
    client("dynamodb").update_item(TableName=get_settings().table_name, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "#CASE"}},
                                   UpdateExpression="SET recent = :kept", ExpressionAttributeValues={":kept": {"L": kept}})
    view = api.call("GET", f"/cases/{case_id}", officer).body
    assert view["timeline"] == _whole_timeline(api, case_id, officer)
    assert len(view["timeline"]) == 4
    _notes(case_id, 1)
    assert "recent" not in _raw_case_item(case_id)
    assert api.call("GET", f"/cases/{case_id}", officer).body["timeline"][-1]["action"] == "NOTE_00"


def test_given_a_determination_kept_on_the_case_item_by_an_earlier_version_then_it_reads_the_same_and_moves_on_the_next_change(
        api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    payload = {"scenario": "REAR_END", "facts": "甲方追撞乙方车辆尾部。", "atFaultPartyId": created["parties"][0]["partyId"]}
    assert api.call("POST", f"/cases/{case_id}/determination", officer, payload).status == 201
    before = api.call("GET", f"/cases/{case_id}", officer).body["determination"]
    dynamodb, table = client("dynamodb"), get_settings().table_name
    moved = {"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "#DETERMINATION"}}
    kept = dynamodb.get_item(TableName=table, Key=moved, ConsistentRead=True)["Item"]["determination"]
    dynamodb.delete_item(TableName=table, Key=moved)
    dynamodb.update_item(TableName=table, Key={"pk": {"S": f"CASE#{case_id}"}, "sk": {"S": "#CASE"}},
                         UpdateExpression="SET determination = :kept", ExpressionAttributeValues={":kept": kept})
    assert api.call("GET", f"/cases/{case_id}", officer).body["determination"] == before
    sign(api, created, 0)
    assert "determination" not in _raw_case_item(case_id)
    after = api.call("GET", f"/cases/{case_id}", officer).body["determination"]
    assert after["facts"] == before["facts"] and after["liabilities"] == before["liabilities"]
