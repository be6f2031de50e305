"""Optimistic locking on the case: a stale writer is refused, the retrying service is not."""

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.principals import Principal, Role
from chalicelib.store import audit
from chalicelib.store import cases as store
from tests.factories import case_body

OFFICER = Principal(subject="O1", role=Role.OFFICER, jurisdiction="320900")


def test_given_two_writers_with_the_same_version_when_both_write_then_second_is_refused(api):
    case_id = api.create_case(case_body()).body["caseId"]
    first, second = store.load(case_id), store.load(case_id)
    store._write(first.case, OFFICER, [store.Change(action="NOTE", detail={"n": 1})], [])
    with pytest.raises(TransactWriteError):
        store._write(second.case, OFFICER, [store.Change(action="NOTE", detail={"n": 2})], [])
    assert [e.action for e in audit.entries(case_id)] == ["CASE_REPORTED", "NOTE"]


def test_given_a_concurrent_change_when_mutating_then_decision_is_retried_on_fresh_data(api):
    case_id = api.create_case(case_body()).body["caseId"]
    seen_versions = []

    def decide(record):
        seen_versions.append(int(record.case.version))
        if len(seen_versions) == 1:  # someone else writes between our read and our write
            store._write(store.load(case_id).case, OFFICER, [store.Change(action="OTHER")], [])
        return store.Change(action="MINE")

    store.mutate(OFFICER, case_id, decide)
    assert seen_versions == [1, 2]
    record = store.load(case_id)
    assert [e.action for e in audit.entries(case_id)] == ["CASE_REPORTED", "OTHER", "MINE"]
    assert int(record.case.version) == 3


def test_given_dynamodb_cancels_for_a_transaction_conflict_when_mutating_then_the_decision_is_retried(api, monkeypatch):
    """In AWS two transactions touching one item at once cancel with TransactionConflict (moto never
    does): the loser must decide again, like a failed version condition, not answer an error."""
    from pynamodb.exceptions import CancellationReason, VerboseClientError

    case_id = api.create_case(case_body()).body["caseId"]
    real_write, calls = store._write, []

    def write_conflicting_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            cause = VerboseClientError(
                {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}},
                "TransactWriteItems",
                cancellation_reasons=[CancellationReason(code="TransactionConflict", message="conflict")],
            )
            raise TransactWriteError("Failed to write transaction items", cause=cause)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(store, "_write", write_conflicting_once)
    store.mutate(OFFICER, case_id, lambda record: store.Change(action="MINE"))
    assert len(calls) == 2
    assert [e.action for e in audit.entries(case_id)] == ["CASE_REPORTED", "MINE"]
