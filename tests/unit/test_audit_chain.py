from dataclasses import replace

from chalicelib.domain import audit_chain


def _log(n=4):
    entries, head = [], ""
    for seq in range(1, n + 1):
        entry = audit_chain.chain("C1", seq, head, f"2026-10-01T00:00:0{seq}", "officer:O1", "ACT", {"n": seq})
        entries.append(entry)
        head = entry.hash
    return entries, head


def test_given_untouched_log_when_verified_then_valid():
    entries, head = _log()
    assert audit_chain.verify(entries, expected_head=head) == audit_chain.Verification(True, 4)


def test_given_first_entry_when_chained_then_links_to_genesis():
    entries, _ = _log(1)
    assert entries[0].prev_hash == audit_chain.GENESIS


def test_given_edited_detail_when_verified_then_that_entry_is_reported():
    entries, head = _log()
    entries[1] = replace(entries[1], detail={"n": 99})
    result = audit_chain.verify(entries, expected_head=head)
    assert (result.valid, result.broken_at, result.reason) == (False, 2, "content does not match its hash")


def test_given_edit_with_recomputed_hash_when_verified_then_next_link_breaks():
    entries, head = _log()
    forged = replace(entries[1], actor="officer:O9")
    entries[1] = replace(forged, hash=audit_chain.entry_hash(forged))
    result = audit_chain.verify(entries, expected_head=head)
    assert (result.valid, result.broken_at) == (False, 3)


def test_given_removed_entry_when_verified_then_gap_detected():
    entries, head = _log()
    del entries[2]
    assert audit_chain.verify(entries, expected_head=head).broken_at == 3


def test_given_truncated_tail_when_verified_against_head_then_detected():
    entries, head = _log()
    result = audit_chain.verify(entries[:3], expected_head=head)
    assert not result.valid and result.reason == "the log ends before the case's recorded head"
