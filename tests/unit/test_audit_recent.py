"""The timeline entries kept on the case item (store/audit.py): one short string each, what the
case view shows, so the case item rewritten with every change stays small (ADR 0040)."""

from chalicelib.store import audit
from chalicelib.store.models import CaseItem


def _case(**attributes):
    return CaseItem(pk="CASE#C1", sk="#CASE", case_id="C1", audit_seq=0, audit_head="", **attributes)


def test_given_more_entries_than_kept_when_appended_then_the_latest_are_kept_as_at_action_role():
    case = _case()
    for n in range(audit.RECENT + 5):
        audit.append(case, "officer:O0001", f"NOTE{n}", {"n": n}, f"2026-11-30T04:19:{n:02d}.082+00:00")
    assert len(case.recent) == audit.RECENT
    assert case.recent[-1] == f"2026-11-30T04:19:{audit.RECENT + 4:02d}.082+00:00 NOTE{audit.RECENT + 4} officer"
    assert audit.recent(case)[-1] == (f"2026-11-30T04:19:{audit.RECENT + 4:02d}.082+00:00", f"NOTE{audit.RECENT + 4}", "officer")


def test_given_entries_kept_as_maps_by_an_earlier_version_when_read_or_appended_then_they_read_the_same():
    case = _case(recent=[{"at": "2026-01-01T00:00:00.000+00:00", "action": "CASE_REPORTED", "actor": "dispatcher:D0001"}])
    assert audit.recent(case) == [("2026-01-01T00:00:00.000+00:00", "CASE_REPORTED", "dispatcher")]
    audit.append(case, "party:P1", "EVIDENCE_VERIFIED", {}, "2026-01-01T00:01:00.000+00:00")
    assert case.recent == ["2026-01-01T00:00:00.000+00:00 CASE_REPORTED dispatcher",
                           "2026-01-01T00:01:00.000+00:00 EVIDENCE_VERIFIED party"]


def test_given_a_case_that_kept_no_entries_then_none_is_kept():
    assert audit.recent(_case()) is None
