"""The small repositories the WeChat, webhook and delivery services ask in their own words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pynamodb.exceptions import PutError

from chalicelib.integrations import message_box
from chalicelib.store import deliveries, once, outbox, webhook_receipts, wechat_users
from chalicelib.store.models import OutboxItem, PartyItem

TTL = timedelta(minutes=5)
AT = "2026-03-01T08:00:00.000+00:00"


def _party(case_id: str, party_id: str = "P1") -> PartyItem:
    return PartyItem(
        pk=f"CASE#{case_id}", sk=f"PARTY#{party_id}", case_id=case_id, party_id=party_id, position=1, name="张三",
        phone="13800000000", id_number="x", kind="DRIVER", token_id="t",
    )


def test_given_an_oauth_state_when_spent_twice_then_only_the_first_time(aws):
    once.remember_oauth_state("s1", TTL)
    assert once.spend_oauth_state("s1") is True
    assert once.spend_oauth_state("s1") is False
    assert once.spend_oauth_state("never-issued") is False


def test_given_an_oauth_code_when_taken_then_its_openid_once(aws):
    once.remember_oauth_code("c1", "oUser1", TTL)
    assert once.take_oauth_code("c1") == "oUser1"
    assert once.take_oauth_code("c1") is None


def test_given_an_expired_code_when_taken_then_none(aws):
    once.remember_oauth_code("c2", "oUser1", -TTL)
    assert once.take_oauth_code("c2") is None


def test_given_a_join_code_when_a_new_one_is_sent_then_only_the_new_one_counts_and_only_for_that_user(aws):
    once.remember_join_code("CASE1", "P1", "oUser1", "old", TTL)
    once.remember_join_code("CASE1", "P1", "oUser1", "new", TTL)
    assert once.take_join_code("CASE1", "P1", "oUser2") is None
    assert once.take_join_code("CASE1", "P1", "oUser1") == "new"
    assert once.take_join_code("CASE1", "P1", "oUser1") is None


def test_given_a_wechat_push_when_claimed_again_then_refused(aws):
    assert once.claim_wechat_push("1234567890", TTL) is True
    assert once.claim_wechat_push("1234567890", TTL) is False
    assert once.claim_wechat_push("1234567891", TTL) is True


def test_given_a_receipt_when_looked_up_then_found_only_for_that_insurer_and_id(aws):
    assert webhook_receipts.exists("PICC", "msg_1") is False
    receipt = webhook_receipts.new("PICC", "msg_1", "CASE1")
    receipt.save()
    assert receipt.case_id == "CASE1" and receipt.expires_at > datetime.now(UTC) + timedelta(days=6)
    assert webhook_receipts.exists("PICC", "msg_1") is True
    assert webhook_receipts.exists("PAIC", "msg_1") is False
    assert webhook_receipts.exists("PICC", "msg_2") is False


def test_given_parties_bound_to_a_wechat_user_when_listed_then_their_cases_newest_first_up_to_the_limit(aws):
    for case_id in ("YC1", "YC3", "YC2"):
        party, condition = wechat_users.bind(_party(case_id), "oUser1", case_id)
        party.save(condition=condition)
    other, condition = wechat_users.bind(_party("YC9"), "oUser2", "YC9")
    other.save(condition=condition)
    assert party.openid == "oUser1"
    assert wechat_users.case_ids("oUser1", 10) == ["YC3", "YC2", "YC1"]
    assert wechat_users.case_ids("oUser1", 2) == ["YC3", "YC2"]
    assert wechat_users.case_ids("oUser3", 10) == []


def test_given_a_party_another_user_joined_as_when_bound_then_the_condition_refuses(aws):
    first, condition = wechat_users.bind(_party("YC1"), "oUser1", "YC1")
    first.save(condition=condition)
    taken, condition = wechat_users.bind(PartyItem.get("CASE#YC1", "PARTY#P1"), "oUser2", "YC1")
    with pytest.raises(PutError) as refused:
        taken.save(condition=condition)
    assert refused.value.cause_response_code == "ConditionalCheckFailedException"


def _message() -> OutboxItem:
    item = outbox.event("CASE1", "PICC", "claim.updated", {"claimId": "C1"}, AT)
    item.save()
    return item


def _pending_ids() -> set[str]:
    return {item.outbox_id for item in outbox.pending(("WEBHOOK",))}


def test_given_a_leased_message_when_leased_again_before_it_lapses_then_refused(aws):
    item = _message()
    assert outbox.lease(item, AT, "2026-03-01T08:01:00.000+00:00") is True
    assert outbox.lease(item, "2026-03-01T08:00:30.000+00:00", "2026-03-01T08:01:30.000+00:00") is False
    assert outbox.lease(item, "2026-03-01T08:02:00.000+00:00", "2026-03-01T08:03:00.000+00:00") is True


def test_given_a_retry_when_rescheduled_then_due_only_from_then(aws):
    item = _message()
    outbox.retry_at(item, "2026-03-01T09:00:00.000+00:00")
    item.save()
    assert item.outbox_id not in {i.outbox_id for i in outbox.pending(("WEBHOOK",), "2026-03-01T08:30:00.000+00:00")}
    assert item.outbox_id in {i.outbox_id for i in outbox.pending(("WEBHOOK",), "2026-03-01T09:00:00.000+00:00")}


def test_given_settled_and_buried_messages_then_neither_is_pending_and_the_dead_one_is_a_dead_letter(aws):
    delivered, dead = _message(), _message()
    outbox.settle(delivered, "DELIVERED")
    outbox.bury(dead)
    delivered.save()
    dead.save()
    assert _pending_ids().isdisjoint({delivered.outbox_id, dead.outbox_id})
    assert (delivered.status, dead.status) == ("DELIVERED", "DEAD")
    # the index carries keys only for the outbox (ADR 0040): the dead letter is read whole through it
    from chalicelib.store import index_reads

    buried = index_reads.whole(OutboxItem, OutboxItem.gsi1, "OUTBOX#DEAD#WEBHOOK")
    assert [i.outbox_id for i in buried] == [dead.outbox_id]


def test_given_attempts_when_recorded_then_paged_newest_first_with_the_message_saved_too(aws):
    item = _message()
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    for n in range(1, 4):
        item.attempts = n
        deliveries.record(item, webhook_id=f"msg_{item.outbox_id}", at=start + timedelta(minutes=n), outcome="RETRY",
                          status_code=503, error="HTTP 503", ms=12.5)
    assert int(OutboxItem.get(item.pk, item.sk).attempts) == 3
    first, token = deliveries.page("PICC", 2)
    assert [int(line.attempt) for line in first] == [3, 2] and token
    rest, end = deliveries.page("PICC", 2, token)
    assert [int(line.attempt) for line in rest] == [1] and end is None
    assert (rest[0].case_id, rest[0].status_code, rest[0].error, rest[0].topic) == ("CASE1", 503, "HTTP 503", "claim.updated")
    assert deliveries.page("PAIC", 2) == ([], None)


def test_given_a_gone_endpoint_when_recorded_then_the_insurer_is_saved_in_the_same_write(aws):
    from chalicelib.store import reference

    item = _message()
    item.attempts = 1
    insurer = reference.get("INSURER", "PICC")
    insurer.attributes = {**insurer.attributes.as_dict(), "endpointStatus": "DISABLED"}
    deliveries.record(item, webhook_id="msg_x", at=datetime.now(UTC), outcome="ENDPOINT_GONE", status_code=410,
                      error="HTTP 410", ms=1.0, disabled_insurer=insurer)
    assert reference.get("INSURER", "PICC").attributes.as_dict()["endpointStatus"] == "DISABLED"


def test_given_local_boxes_when_sent_then_listed_newest_first_per_channel(aws):
    first = message_box.box("sms").send("13800000000", "一", "CASE1")
    second = message_box.box("sms").send("13800000001", "二", None)
    message_box.box("wechat").send("oUser1", "微信", "CASE1")
    listed = message_box.recent("sms", 10)
    assert {m.message_id for m in listed} == {first, second}
    assert [m.at for m in listed] == sorted((m.at for m in listed), reverse=True)
    kept = next(m for m in listed if m.message_id == first)
    assert (kept.recipient, kept.text, kept.case_id) == ("13800000000", "一", "CASE1")
    assert [m.recipient for m in message_box.recent("wechat", 10)] == ["oUser1"]


def test_given_no_box_registered_when_sending_then_refused_and_nothing_listed(monkeypatch):
    monkeypatch.setattr(message_box, "_boxes", {})
    with pytest.raises(RuntimeError, match="no sms message box"):
        message_box.box("sms")
    assert message_box.recent("wechat", 10) == []
