"""Notices to parties: SMS with the case link (through the outbox), revocable links."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

from chalicelib.integrations import sms
from chalicelib.services import delivery
from tests.factories import case_body, staff_token


def _texts(api):
    return api.call("GET", "/local/sms?limit=200", staff_token("dispatcher")).body["messages"]


def _token_in(text):
    return parse_qs(urlparse(text[text.index("http"):]).query)["token"][0]


def test_given_reported_case_when_outbox_delivered_then_each_party_texted_a_working_link(api):
    body = case_body()
    created = api.create_case(body).body
    assert _texts(api) == []  # nothing is sent inside the request: the outbox does it
    outcomes = delivery.deliver_due()
    assert outcomes.get("DELIVERED") == 2
    texts = [m for m in _texts(api) if m["caseId"] == created["caseId"]]
    assert sorted(m["phone"] for m in texts) == sorted(p["phone"] for p in body["parties"])
    for message in texts:
        assert created["caseId"] in message["text"] and "/h5/cases/" in message["text"]
        token = _token_in(message["text"])
        assert api.call("GET", f"/cases/{created['caseId']}", token).status == 200
    assert delivery.deliver_due() == {}  # delivered once


def test_given_referred_case_when_texted_then_told_to_wait_without_a_link(api):
    body = case_body()
    body["screening"]["drinkOrDrugs"] = True
    created = api.create_case(body).body
    delivery.deliver_due()
    texts = [m["text"] for m in _texts(api) if m["caseId"] == created["caseId"]]
    assert len(texts) == 2 and all("民警到场" in t and "http" not in t for t in texts)


def test_given_link_reissued_when_old_token_used_then_404_and_new_link_works(api, officer):
    created = api.create_case().body
    party = created["parties"][0]
    reply = api.call("POST", f"/cases/{created['caseId']}/parties/{party['partyId']}/link", staff_token("dispatcher"))
    assert reply.status == 200 and reply.body["linkSent"] is True
    assert api.call("GET", f"/cases/{created['caseId']}", party["token"]).status == 404
    delivery.deliver_due()
    newest = next(m for m in _texts(api) if m["caseId"] == created["caseId"] and "已更新" in m["text"])
    assert api.call("GET", f"/cases/{created['caseId']}", _token_in(newest["text"])).status == 200
    other = created["parties"][1]["token"]
    assert api.call("GET", f"/cases/{created['caseId']}", other).status == 200  # only that party's link changed
    assert api.call("POST", f"/cases/{created['caseId']}/parties/{party['partyId']}/link", other).status == 403


def test_given_sms_provider_down_when_delivering_then_retried_later_not_lost(api, monkeypatch):
    created = api.create_case().body

    class Down:
        def send(self, phone, text, case_id):
            raise ConnectionError("provider unreachable")

    monkeypatch.setattr(sms, "sender", lambda: Down())
    assert delivery.deliver_due() == {"RETRY": 2}
    monkeypatch.undo()
    later = datetime.now().astimezone() + timedelta(minutes=5)
    assert delivery.deliver_due(now=later) == {"DELIVERED": 2}
    assert len([m for m in _texts(api) if m["caseId"] == created["caseId"]]) == 2


def test_given_not_staff_when_reading_local_sms_then_refused(api):
    party = api.create_case().body["parties"][0]["token"]
    assert api.call("GET", "/local/sms", party).status == 403
