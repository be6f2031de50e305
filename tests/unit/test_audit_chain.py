import hashlib
import json
from dataclasses import replace
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from chalicelib.domain import audit_chain
from chalicelib.store.models import AuditItem


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


def test_given_entries_written_after_the_case_was_read_when_verified_against_its_head_then_valid():
    # The log is read after the case: a writer in between leaves linked entries past the case's head.
    entries, _ = _log()
    read_head = entries[1].hash
    assert audit_chain.verify(entries, expected_head=read_head) == audit_chain.Verification(True, 4)


def test_given_a_head_not_in_the_chain_when_verified_then_invalid():
    entries, _ = _log()
    result = audit_chain.verify(entries, expected_head="f" * 64)
    assert not result.valid and result.reason == "the log ends before the case's recorded head"


# DynamoDB keeps numbers in a canonical form: it answers "33" for a number written as "33.0" and
# "0.0000001" for "1e-07". moto keeps the text it was given, so only this round trip shows it.
_numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e100, max_value=1e100).filter(lambda x: x == 0 or abs(x) > 1e-100),
)
_leaves = st.one_of(st.none(), st.booleans(), st.text(max_size=8), _numbers)
_details = st.dictionaries(
    st.text(max_size=6),
    st.recursive(
        _leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8
    ),
    max_size=5,
)


def _attribute_value(value):
    """One attribute value (`{type: value}`) as DynamoDB hands it back: numbers in canonical text."""
    (kind, inner), = value.items()
    if kind == "N":
        number = Decimal(inner).normalize()
        return {"N": "0" if number == 0 else format(number, "f")}
    if kind == "M":
        return {"M": _as_dynamodb_answers(inner)}
    if kind == "L":
        return {"L": [_attribute_value(v) for v in inner]}
    return value


def _as_dynamodb_answers(content):
    """A map's content (name → attribute value) as DynamoDB hands it back. Names are the caller's
    (a detail may well have a key called "N"), so only the values are read as typed."""
    return {name: _attribute_value(value) for name, value in content.items()}


def _through_dynamodb(detail):
    attribute = AuditItem.detail
    stored = _as_dynamodb_answers(attribute.serialize(detail))
    read = attribute.deserialize(stored)
    return read.as_dict() if hasattr(read, "as_dict") else read


@settings(max_examples=300, deadline=None)
@given(_details)
@example({"N": None})  # a name that is also a DynamoDB type tag
def test_given_any_detail_when_read_back_from_dynamodb_then_its_hash_is_unchanged(detail):
    entry = audit_chain.chain("C1", 1, "", "2026-10-01T00:00:01+00:00", "tow:T1", "TOW_ARRIVED", detail)
    read = replace(entry, detail=_through_dynamodb(detail))
    assert audit_chain.entry_hash(read) == entry.hash
    assert audit_chain.verify([read], expected_head=entry.hash).valid


def test_given_arrival_at_integral_coordinates_when_read_back_from_dynamodb_then_the_log_verifies():
    detail = {"orderId": "R1", "position": {"lat": 33.0, "lng": 120.0}}
    entry = audit_chain.chain("C1", 1, "", "2026-10-01T00:00:01+00:00", "tow:T1", "TOW_ARRIVED", detail)
    read = replace(entry, detail=_through_dynamodb(detail))
    assert read.detail["position"] == {"lat": 33, "lng": 120}
    assert audit_chain.verify([read], expected_head=entry.hash).valid


def _legacy_hash(entry):
    """How entries were hashed before the canonical form: json.dumps of the detail as written."""
    body = {"caseId": entry.case_id, "seq": entry.seq, "at": entry.at, "actor": entry.actor, "action": entry.action,
            "detail": entry.detail, "prevHash": entry.prev_hash}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_given_entry_written_before_the_canonical_form_when_read_back_either_way_then_it_verifies():
    detail = {"orderId": "R1", "position": {"lat": 33.0, "lng": 120.5}, "round": 2}
    written = audit_chain.Entry("C1", 1, "2026-10-01T00:00:01+00:00", "tow:T1", "TOW_ARRIVED", detail, audit_chain.GENESIS)
    written = replace(written, hash=_legacy_hash(written))
    assert written.hash != audit_chain.entry_hash(written)  # the two forms differ for this detail
    as_moto_keeps_it = written
    as_dynamodb_answers = replace(written, detail=_through_dynamodb(detail))
    assert audit_chain.verify([as_moto_keeps_it], expected_head=written.hash).valid
    assert audit_chain.verify([as_dynamodb_answers], expected_head=written.hash).valid


def test_given_legacy_entry_with_a_changed_value_when_verified_then_still_detected():
    detail = {"position": {"lat": 33.0, "lng": 120.0}}
    written = audit_chain.Entry("C1", 1, "2026-10-01T00:00:01+00:00", "tow:T1", "TOW_ARRIVED", detail, audit_chain.GENESIS)
    written = replace(written, hash=_legacy_hash(written))
    moved = replace(written, detail={"position": {"lat": 34, "lng": 120}})
    assert not audit_chain.verify([moved], expected_head=written.hash).valid
