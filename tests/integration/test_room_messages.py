"""Room messages: posted in the case's transaction, ordered, paged by cursor, masked, idempotent."""

from __future__ import annotations

import sys
import threading

import pytest

from chalicelib.store import audit, cases
from tests.factories import staff_token
from tests.integration.test_case_read_cost import dynamodb_items_read


@pytest.fixture
def case(api):
    return api.create_case().body


def _post(api, case, token, body, **headers):
    return api.call("POST", f"/cases/{case['caseId']}/room/messages", token, body, headers=headers)


def _all(api, case, token, limit=7):
    seen, cursor = [], None
    while True:
        page = api.call("GET", f"/cases/{case['caseId']}/room/messages?limit={limit}" + (f"&after={cursor}" if cursor else ""), token)
        assert page.status == 200, page.body
        seen += page.body["messages"]
        cursor = page.body["cursor"]
        if not page.body["more"]:
            return seen, cursor


def test_given_a_party_posts_then_members_read_it_with_its_label_and_the_audit_chain_records_it(api, case):
    posted = _post(api, case, case["parties"][0]["token"], {"text": "对方车辆已经移走了吗？"})
    assert posted.status == 201, posted.body
    assert posted.body["sender"] == {"kind": "party", "label": "甲方", "role": "party", "me": True}
    officer = api.call("GET", f"/cases/{case['caseId']}/room/messages", staff_token("officer")).body
    seen = [(m["text"], m["sender"]["label"], m["sender"]["me"]) for m in officer["messages"]]
    assert seen == [("对方车辆已经移走了吗？", "甲方", False)]
    last = audit.entries(case["caseId"])[-1]
    assert last.action == "ROOM_MESSAGE" and last.actor == f"party:{case['parties'][0]['partyId']}"
    assert last.detail["seq"] == 1 and len(last.detail["sha256"]) == 64 and "text" not in last.detail


def test_given_an_insurer_and_the_police_post_then_labelled_by_name_and_as_police(api, case):
    from chalicelib.domain.principals import Role
    from tests.integration.test_room_members import _token

    insurer = _post(api, case, _token(Role.INSURER, "PICC"), {"text": "请上传车损照片"}).body["sender"]
    police = _post(api, case, staff_token("officer"), {"text": "双方请稍候"}).body["sender"]
    assert (insurer["label"], police["label"]) == ("中国人民财产保险股份有限公司", "民警")


def test_given_personal_data_in_a_message_then_other_members_read_it_masked_and_the_sender_and_police_do_not(api, case):
    other = case["parties"][1]
    me = case["parties"][0]
    text = "我是张三，对方李四的电话13812345671，车牌苏J12346"
    assert _post(api, case, me["token"], {"text": text}).status == 201
    read = {who: api.call("GET", f"/cases/{case['caseId']}/room/messages", token).body["messages"][0]["text"]
            for who, token in (("me", me["token"]), ("other", other["token"]), ("police", staff_token("officer")))}
    assert read["me"] == read["police"] == text
    assert "13812345671" not in read["other"] and "苏J12346" not in read["other"] and "张三" not in read["other"]
    assert "138****5671" in read["other"] and "张*" in read["other"]


def test_given_control_characters_then_stripped_and_beyond_the_limit_then_400_naming_the_field(api, case):
    token = case["parties"][0]["token"]
    stored = _post(api, case, token, {"text": "你好\u0007\u202e世界\n再见\x00"})
    assert stored.status == 201 and stored.body["text"] == "你好世界\n再见"
    too_long = _post(api, case, token, {"text": "长" * 1001})
    assert too_long.status == 400 and too_long.body["error"]["field"] == "text"
    assert "1000" in too_long.body["error"]["message"]
    for body in ({}, {"text": "a", "evidenceId": "E1"}, {"text": "\u0007"}):
        refused = _post(api, case, token, body)
        assert refused.status == 400, (body, refused.body)
    assert int(cases.load(case["caseId"]).case.room_seq) == 1


def test_given_evidence_or_a_document_of_another_case_then_404_and_the_case_own_evidence_is_shown(api, case):
    token = case["parties"][0]["token"]
    other = api.create_case().body
    slot = api.checklist(other["caseId"], other["parties"][0]["token"])[0]
    foreign = api.shoot(other["caseId"], other["parties"][0]["token"], slot, 1)
    refused = _post(api, case, token, {"evidenceId": foreign})
    assert refused.status == 404 and refused.body["error"]["field"] == "evidenceId"
    assert _post(api, case, token, {"documentId": "D0000001"}).body["error"]["field"] == "documentId"
    own = api.shoot(case["caseId"], token, api.checklist(case["caseId"], token)[0], 2)
    shown = _post(api, case, token, {"evidenceId": own})
    assert shown.status == 201 and shown.body["kind"] == "EVIDENCE" and shown.body["evidenceId"] == own


def test_given_a_retried_post_with_the_same_key_then_stored_once_and_another_body_422(api, case):
    token = case["parties"][0]["token"]
    first = _post(api, case, token, {"text": "收到"}, **{"Idempotency-Key": "k-1"})
    again = _post(api, case, token, {"text": "收到"}, **{"Idempotency-Key": "k-1"})
    assert first.status == again.status == 201 and first.body == again.body
    assert _post(api, case, token, {"text": "不同"}, **{"Idempotency-Key": "k-1"}).status == 422
    messages, _ = _all(api, case, token)
    assert [m["text"] for m in messages] == ["收到"]


def test_given_a_bad_cursor_then_400_naming_after(api, case):
    reply = api.call("GET", f"/cases/{case['caseId']}/room/messages?after=bm90LWEtY3Vyc29y", staff_token("officer"))
    assert reply.status == 400 and reply.body["error"]["field"] == "after"


def test_given_20_concurrent_posts_some_retried_then_all_stored_once_in_order_and_paged_without_gaps(api, case):
    # Threads switch far more often than Python's default 5 ms: a handler that read another thread's
    # request (Chalice keeps one per app) posted that thread's message under its key, which CI met
    # once; at this interval it showed every run before each thread got its own request.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        _post_20_concurrently(api, case)
    finally:
        sys.setswitchinterval(previous)


def _post_20_concurrently(api, case) -> None:
    tokens = [p["token"] for p in case["parties"]] + [staff_token("officer")]
    replies: list = []

    def post(n: int) -> None:
        key = {"Idempotency-Key": f"c-{n}"}
        body = {"text": f"第{n}条"}
        replies.append(_post(api, case, tokens[n % 3], body, **key))
        if n % 4 == 0:  # a phone that did not see the reply sends again
            replies.append(_post(api, case, tokens[n % 3], body, **key))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(r.status for r in replies) == [201] * 25, [r.body for r in replies if r.status != 201]
    messages, cursor = _all(api, case, staff_token("officer"))
    assert [m["seq"] for m in messages] == list(range(1, 21))
    assert sorted(m["text"] for m in messages) == sorted(f"第{n}条" for n in range(20))
    after_last = api.call("GET", f"/cases/{case['caseId']}/room/messages?after={cursor}", staff_token("officer")).body
    assert after_last["messages"] == [] and after_last["cursor"] == cursor
    assert [e.action for e in audit.entries(case["caseId"])].count("ROOM_MESSAGE") == 20


def _room_with(api, count: int) -> str:
    """A case whose room holds `count` system messages, written 45 to a transaction (2 items each)."""
    from chalicelib.domain.room_message import MessageKind, RoomMessage, Sender
    from chalicelib.services.room import messages

    case_id = api.create_case().body["caseId"]
    sender = Sender("system", "system", "系统消息", "system")

    def batch(record, size: int):
        changes = []
        for _ in range(size):
            seq = int(record.case.room_seq) + 1
            changes.append(messages._change(record, RoomMessage(case_id, seq, "2026-11-29T00:00:00.000+00:00", sender,
                                                                MessageKind.SYSTEM, text=f"消息{seq}"), []))
        return changes

    while (written := int(cases.load(case_id).case.room_seq)) < count:
        size = min(45, count - written)
        cases.mutate(messages.SYSTEM, case_id, lambda record, n=size: batch(record, n))
    return case_id


def test_given_rooms_of_40_and_500_messages_when_the_case_is_read_then_the_same_items_are_read(api):
    # 40: past the timeline's length, which the case read takes from the audit log (ADR 0040)
    from chalicelib.store.audit import RECENT

    small, large = _room_with(api, RECENT + 10), _room_with(api, 500)
    officer = staff_token("officer")
    reads = []
    for case_id in (small, large):
        with dynamodb_items_read() as counted:
            assert api.call("GET", f"/cases/{case_id}", officer).status == 200
        reads.append(counted)
    assert reads[0] == reads[1] and reads[0]["calls"] == 2 and reads[0]["items"] < 10 + RECENT
    assert api.call("GET", f"/cases/{large}/room/messages?limit=200", officer).body["more"] is True
