"""Insurers: one-tap claims, signed deliveries with retries, verified inbound events, views."""

import json
from datetime import datetime, timedelta

import pytest

from chalicelib.integrations import insurer_secrets, webhooks
from chalicelib.services import delivery
from chalicelib.store import outbox
from chalicelib.store.models import OutboxItem
from tests.factories import case_body, party, staff_token

LIABLE = {"deathDisability": 18_000_000, "medical": 1_800_000, "property": 200_000}
NOT_LIABLE = {"deathDisability": 1_800_000, "medical": 180_000, "property": 10_000}


@pytest.fixture
def insurers(aws):
    for code in ("PICC", "PAIC", "CPIC"):
        insurer_secrets.ensure(code)
    insurer_secrets.forget_cached()
    return insurer_secrets


class Receiver:
    """A fake insurer endpoint for the deliverer: verifies every request, answers as scripted."""

    def __init__(self, answers=None):
        self.answers = list(answers or [])
        self.requests = []
        self.now = None  # the receiver's clock: the deliverer's when a test moves time on

    def __call__(self, url, headers, body, timeout):
        code = url.rsplit("/insurers/", 1)[1].split("/")[0]
        webhook_id = webhooks.verify(insurer_secrets.secrets_in_force(code), headers, body, self.now or datetime.now().astimezone())
        self.requests.append({"code": code, "id": webhook_id, "headers": headers, "body": json.loads(body)})
        status = self.answers.pop(0) if self.answers else 200
        return delivery.Attempt(status, None if status < 400 else f"HTTP {status}", 1.0)


def _determined(api, officer, body=None, **determination):
    created = api.case_awaiting_determination(body)
    first = created["parties"][0]["partyId"]
    payload = {"scenario": "REAR_END", "atFaultPartyId": first, "facts": "甲方追尾乙方。", **determination}
    reply = api.call("POST", f"/cases/{created['caseId']}/determination", officer, payload)
    assert reply.status == 201, reply.body
    return created


def _claims(api, created, token=None):
    return api.call("GET", f"/cases/{created['caseId']}", token or created["parties"][0]["token"]).body["claims"]


def _event(code, event_type, data, secret=None, webhook_id=None, at=None):
    moment = at or datetime.now().astimezone()
    body = json.dumps({"type": event_type, "timestamp": moment.isoformat(), "data": data}, ensure_ascii=False)
    secret = secret or insurer_secrets.secrets_in_force(code)[0]
    headers = webhooks.signed_headers(secret, webhook_id or f"msg_{event_type}_{moment.timestamp()}", moment, body)
    return body, headers


def _send_event(api, code, event_type, data, **kwargs):
    body, headers = _event(code, event_type, data, **kwargs)
    return api.call("POST", f"/webhooks/insurers/{code}", None, body, headers=headers)


def test_given_determination_when_made_then_a_claim_per_insured_vehicle_with_limits(api, officer):
    created = _determined(api, officer)
    claims = _claims(api, created)
    first, second = (p["partyId"] for p in created["parties"])
    by_party = {c["partyId"]: c for c in claims}
    assert (by_party[first]["insurerCode"], by_party[second]["insurerCode"]) == ("PICC", "PAIC")
    assert by_party[first]["limits"] == LIABLE and by_party[first]["liability"] == "FULL"
    assert by_party[second]["limits"] == NOT_LIABLE and by_party[second]["liability"] == "NONE"
    assert all(c["status"] == "REPORTED" and c["mutualSelfPay"] is False for c in claims)
    assert all(c["clock"]["duty"] == "LIST_DOCUMENTS" for c in claims)
    tapped = api.call("POST", f"/cases/{created['caseId']}/claims", created["parties"][0]["token"])
    assert tapped.status == 200 and sorted(c["claimId"] for c in tapped.body["claims"]) == sorted(c["claimId"] for c in claims)


def test_given_both_at_fault_and_small_losses_when_declared_then_mutual_self_pay_flagged(api, officer):
    created = _determined(api, officer, scenario="BOTH_AT_FAULT")
    first, second = (p["partyId"] for p in created["parties"])
    reply = api.call("POST", f"/cases/{created['caseId']}/claims", officer,  # a party declares only its own loss
                     {"declaredLosses": {first: 150_000, second: 90_000}})
    assert reply.status == 200, reply.body
    assert all(c["mutualSelfPay"] for c in reply.body["claims"])
    assert all(c["limits"] == LIABLE for c in reply.body["claims"])
    updates = [o for o in outbox.pending(("WEBHOOK",)) if o.case_id == created["caseId"] and o.topic == "claim.updated"]
    assert sorted(o.recipient for o in updates) == ["PAIC", "PICC"]


def _both_at_fault_with(api, officer, second_party):
    created = _determined(api, officer, case_body(parties=[party(0), second_party]), scenario="BOTH_AT_FAULT")
    first, second = (p["partyId"] for p in created["parties"])
    # the officer declares both (a party declares only its own loss, issue 11 item 9)
    reply = api.call("POST", f"/cases/{created['caseId']}/claims", officer, {"declaredLosses": {first: 150_000, second: 90_000}})
    assert reply.status == 200, reply.body
    return reply.body["claims"]


def test_given_an_e_bike_beside_the_car_when_losses_are_small_then_not_mutual_self_pay(api, officer):
    ebike = party(1, kind="NON_MOTOR", vehicle={"plate": "盐城A12345", "type": "电动自行车"})
    claims = _both_at_fault_with(api, officer, ebike)
    assert len(claims) == 1 and claims[0]["mutualSelfPay"] is False


def test_given_an_uninsured_car_when_losses_are_small_then_not_mutual_self_pay(api, officer):
    uninsured = party(1, vehicle={"plate": "苏J54321", "type": "小型轿车"})
    claims = _both_at_fault_with(api, officer, uninsured)
    assert len(claims) == 1 and claims[0]["mutualSelfPay"] is False


def test_given_case_not_yet_determined_when_claiming_then_409(api):
    created = api.create_case().body
    assert api.call("POST", f"/cases/{created['caseId']}/claims", created["parties"][0]["token"]).status == 409


def test_given_reported_claims_when_delivered_then_signed_first_notice_with_own_customer_only(api, officer, insurers):
    body = case_body()
    _determined(api, officer, body)
    receiver = Receiver()
    delivery.deliver_due(send=receiver)
    reported = [r for r in receiver.requests if r["body"]["type"] == "claim.reported"]
    assert sorted(r["code"] for r in reported) == ["PAIC", "PICC"]
    notice = next(r for r in reported if r["code"] == "PICC")["body"]["data"]
    insured, other = sorted(notice["parties"], key=lambda p: not p["insured"])
    assert insured["name"] == body["parties"][0]["name"] and insured["idNumber"] == body["parties"][0]["idNumber"]
    assert other["name"] != body["parties"][1]["name"] and other["policyNo"] is None
    assert body["parties"][1]["phone"] not in json.dumps(notice, ensure_ascii=False)
    assert notice["limits"] == LIABLE and len(notice["evidence"]) == 7
    assert all(e["url"].startswith("http") and e["expiresAt"] for e in notice["evidence"])
    assert [d["kind"] for d in notice["documents"]] == ["LIABILITY_LETTER"]
    log = api.call("GET", "/insurer/deliveries", staff_token("insurer", org="PICC")).body["deliveries"]
    assert {d["outcome"] for d in log} == {"DELIVERED"} and {d["insurerCode"] for d in log} == {"PICC"}
    assert api.call("GET", "/insurer/deliveries?insurerCode=PAIC", staff_token("insurer", org="PICC")).status == 403
    assert api.call("GET", "/insurer/deliveries?insurerCode=PAIC", staff_token("supervisor")).body["deliveries"]
    assert api.call("GET", "/insurer/deliveries", staff_token("supervisor")).status == 400


def test_given_flaky_receiver_when_it_fails_twice_then_one_effective_delivery_with_the_same_id(api, officer, insurers):
    created = _determined(api, officer)
    receiver = Receiver(answers=[503, 503])  # the first two requests fail, whichever message they carry
    now = datetime.now().astimezone()
    for minute in range(0, 60, 5):  # the deliverer runs again as time passes
        receiver.now = now + timedelta(minutes=minute)
        delivery.deliver_due(now=receiver.now, send=receiver)
    by_message = {}
    for request in receiver.requests:
        by_message.setdefault(request["id"], []).append(request)
    assert sum(len(v) for v in by_message.values()) == len(by_message) + 2
    items = [o for o in OutboxItem.scan() if o.case_id == created["caseId"] and o.channel == "WEBHOOK"]  # test-only look
    assert {o.status for o in items} == {"DELIVERED"}
    retried = [o for o in items if int(o.attempts) == 3 or int(o.attempts) == 2]
    assert retried, "the failed messages were delivered on a later attempt"


def test_given_endpoint_gone_when_410_then_disabled_and_nothing_more_sent(api, officer, insurers):
    _determined(api, officer)
    receiver = Receiver(answers=[410] * 50)
    delivery.deliver_due(send=receiver)
    from chalicelib.store.models import ReferenceItem

    gone = {r["code"] for r in receiver.requests}
    assert all(ReferenceItem.get("REF#INSURER", code).attributes.as_dict()["endpointStatus"] == "DISABLED" for code in gone)
    before = len(receiver.requests)
    _determined(api, officer)
    delivery.deliver_due(send=receiver)
    assert all(r["code"] not in gone for r in receiver.requests[before:])


def test_given_receiver_always_failing_when_attempts_run_out_then_dead_letter(api, officer, insurers, monkeypatch):
    monkeypatch.setenv("DELIVERY_MAX_ATTEMPTS", "3")
    from chalicelib.settings import reset_settings

    reset_settings()
    created = _determined(api, officer)
    receiver = Receiver(answers=[500] * 200)
    now = datetime.now().astimezone()
    for hour in range(0, 48, 2):
        receiver.now = now + timedelta(hours=hour)
        delivery.deliver_due(now=receiver.now, send=receiver)
    items = [o for o in OutboxItem.scan() if o.case_id == created["caseId"] and o.channel == "WEBHOOK"]
    assert {o.status for o in items} == {"DEAD"} and {int(o.attempts) for o in items} == {3}
    reset_settings()


def test_given_insurer_events_when_in_order_then_claim_moves_to_paid(api, officer, insurers):
    created = _determined(api, officer)
    claim = next(c for c in _claims(api, created) if c["insurerCode"] == "PICC")
    data = {"claimId": claim["claimId"]}
    assert _send_event(api, "PICC", "claim.accepted", data).body["status"] == "ACCEPTED"
    items = [{"name": "后保险杠", "amount": 180000}]
    assessed = _send_event(api, "PICC", "claim.loss_assessed", {**data, "amount": 180000, "items": items})
    assert assessed.status == 200 and assessed.body["status"] == "ASSESSED"
    paid = _send_event(api, "PICC", "claim.paid", {**data, "amount": 180000, "paidAt": "2026-11-25T10:00:00+08:00"})
    assert paid.body["status"] == "PAID"
    view = next(c for c in _claims(api, created) if c["claimId"] == claim["claimId"])
    assert (view["assessedAmount"], view["paidAmount"], view["clock"]) == (180000, 180000, None)
    audit = api.call("GET", f"/cases/{created['caseId']}/audit", officer).body
    assert [e["action"] for e in audit["entries"]][-3:] == ["CLAIM_ACCEPTED", "CLAIM_LOSS_ASSESSED", "CLAIM_PAID"]
    assert audit["verification"]["valid"]
    party = created["parties"][0]["token"]
    worded = [e["text"] for e in api.call("GET", f"/cases/{created['caseId']}", party).body["timeline"]][-3:]
    paged = [e["text"] for e in api.call("GET", f"/cases/{created['caseId']}/timeline?limit=100", party).body["entries"]][-3:]
    assert worded == paged == ["保险公司已受理理赔（中国人民财产保险股份有限公司）", "保险公司已完成定损（中国人民财产保险股份有限公司）",
                               "保险公司已支付赔款（中国人民财产保险股份有限公司）"]


def test_given_bad_inbound_webhooks_when_received_then_refused_or_ignored_with_nothing_changed(api, officer, insurers):
    created = _determined(api, officer)
    picc = next(c for c in _claims(api, created) if c["insurerCode"] == "PICC")
    data = {"claimId": picc["claimId"]}
    body, headers = _event("PICC", "claim.accepted", data, webhook_id="msg_once")
    assert api.call("POST", "/webhooks/insurers/PICC", None, body, headers=headers).body["duplicate"] is False
    replay = api.call("POST", "/webhooks/insurers/PICC", None, body, headers=headers)
    assert replay.status == 200 and replay.body["duplicate"] is True
    stale = _send_event(api, "PICC", "claim.documents_requested", {**data, "documents": ["驾驶证"]},
                        at=datetime.now().astimezone() - timedelta(minutes=6))
    assert stale.status == 401 and stale.body["error"]["field"] == "webhook-timestamp"
    forged = _send_event(api, "PICC", "claim.documents_requested", {**data, "documents": ["驾驶证"]}, secret=webhooks.new_secret())
    assert forged.status == 401
    cross = _send_event(api, "PAIC", "claim.rejected", {**data, "reason": "不是我的"})
    assert cross.status == 404
    early = _send_event(api, "PICC", "claim.paid", {**data, "amount": 1, "paidAt": "2026-11-25T10:00:00+08:00"})
    assert early.status == 409 and early.body["error"]["status"] == "ACCEPTED"
    assert _send_event(api, "NOPE", "claim.accepted", data, secret=webhooks.new_secret()).status == 404
    after = next(c for c in _claims(api, created) if c["claimId"] == picc["claimId"])
    assert after["status"] == "ACCEPTED" and after["paidAmount"] is None
    actions = [e["action"] for e in api.call("GET", f"/cases/{created['caseId']}/audit", officer).body["entries"]]
    assert actions.count("CLAIM_ACCEPTED") == 1 and "CLAIM_REJECTED" not in actions


def test_given_insurers_when_reading_cases_then_only_their_own(api, officer):
    body = case_body()
    created = _determined(api, officer, body)
    path = f"/insurer/cases/{created['caseId']}"
    picc = api.call("GET", path, staff_token("insurer", org="PICC")).body
    assert {c["insurerCode"] for c in picc["claims"]} == {"PICC"}
    insured = [p for p in picc["parties"] if p["insured"]]
    assert [p["name"] for p in insured] == [body["parties"][0]["name"]]
    assert body["parties"][1]["phone"] not in json.dumps(picc, ensure_ascii=False)
    assert api.call("GET", path, staff_token("insurer", org="CPIC")).status == 404
    assert api.call("GET", path, created["parties"][0]["token"]).status == 403


def test_given_rotation_when_old_secret_used_in_grace_then_accepted_and_deliveries_carry_both(api, officer, insurers):
    created = _determined(api, officer)
    old = insurer_secrets.secrets_in_force("PICC")[0]
    rotated = api.call("POST", "/admin/insurers/PICC/secret", staff_token("supervisor")).body
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != old and rotated["previousValidUntil"]
    assert api.call("POST", "/admin/insurers/PICC/secret", officer).status == 403
    claim = next(c for c in _claims(api, created) if c["insurerCode"] == "PICC")
    assert _send_event(api, "PICC", "claim.accepted", {"claimId": claim["claimId"]}, secret=old).status == 200
    receiver = Receiver()
    delivery.deliver_due(send=receiver)
    signatures = next(r for r in receiver.requests if r["code"] == "PICC")["headers"]["webhook-signature"].split(" ")
    assert len(signatures) == 2
    for secret in (old, rotated["secret"]):
        request = next(r for r in receiver.requests if r["code"] == "PICC")
        webhooks.verify([secret], request["headers"], json.dumps(request["body"], ensure_ascii=False, separators=(",", ":")).encode(),
                        datetime.now().astimezone())


def test_given_missed_deadline_when_listing_overdue_then_claim_listed(api, officer, monkeypatch):
    from chalicelib.store import cases as store

    created = api.case_awaiting_determination()
    real = store.utcnow
    monkeypatch.setattr(store, "utcnow", lambda: real() - timedelta(days=20))
    api.call("POST", f"/cases/{created['caseId']}/determination", officer,
             {"scenario": "REAR_END", "atFaultPartyId": created["parties"][0]["partyId"], "facts": "甲方追尾乙方。"})
    monkeypatch.setattr(store, "utcnow", real)
    overdue = api.call("GET", "/portal/claims?overdue=true", staff_token("supervisor")).body["claims"]
    mine = [c for c in overdue if c["caseId"] == created["caseId"]]
    assert len(mine) == 2 and {c["duty"] for c in mine} == {"LIST_DOCUMENTS"}
    assert api.call("GET", "/portal/claims?overdue=false", officer).status == 400
    assert api.call("GET", "/portal/claims?overdue=true", created["parties"][0]["token"]).status == 403


def test_given_one_message_that_cannot_be_sent_when_delivering_then_the_others_still_go(api, officer, insurers, monkeypatch):
    _determined(api, officer)
    real = insurer_secrets.secrets_in_force

    def picc_secret_missing(code, now=None):
        if code == "PICC":
            raise RuntimeError("secret unavailable")
        return real(code, now)

    monkeypatch.setattr(insurer_secrets, "secrets_in_force", picc_secret_missing)
    receiver = Receiver()
    outcomes = delivery.deliver_due(send=lambda *args: receiver(*args))
    assert outcomes.get("FAILED", 0) >= 1 and outcomes.get("DELIVERED", 0) >= 1
    assert {r["code"] for r in receiver.requests} == {"PAIC"}


def test_given_little_time_left_when_delivering_then_stops_before_sending(api, officer, insurers):
    _determined(api, officer)
    receiver = Receiver()
    assert delivery.deliver_due(send=receiver, seconds_left=lambda: 3.0) == {}
    assert receiver.requests == []
