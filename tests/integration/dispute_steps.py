"""Steps shared by the review and mediation tests: the clock every service reads, a letter served
on a given day, asking, reading the case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.store import cases as case_store
from chalicelib.store import outbox
from tests.factories import staff_token


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every service reads (`store.cases.utcnow`), Beijing time; None: the real time again."""
    real = case_store.utcnow

    def set_to(text: str | None) -> None:
        if text is None:
            monkeypatch.setattr(case_store, "utcnow", real)
            return
        moment = datetime.fromisoformat(text).astimezone(UTC)
        monkeypatch.setattr(case_store, "utcnow", lambda: moment)

    return set_to


@pytest.fixture
def supervisor():
    return staff_token("supervisor")


def determined(api, officer, clock, on: str) -> dict:
    """A case reported now whose letter the officer issued at 10:00 on `on` (a Beijing date)."""
    clock(None)
    created = api.case_awaiting_determination()
    clock(f"{on}T10:00:00+08:00")
    payload = {"scenario": "REAR_END", "facts": "甲方车辆在解放南路由南向北行驶时追撞前方乙方车辆尾部。",
               "atFaultPartyId": created["parties"][0]["partyId"]}
    reply = api.call("POST", f"/cases/{created['caseId']}/determination", officer, payload)
    assert reply.status == 201, reply.body
    created["letterDocumentId"] = reply.body["letterDocumentId"]
    return created


def sign(api, created, index: int, accept: bool = True):
    party = created["parties"][index]
    body = {"accept": True} if accept else {"accept": False, "reason": "对方突然变道，不是追尾"}
    reply = api.call("POST", f"/cases/{created['caseId']}/parties/{party['partyId']}/sign", party["token"], body)
    assert reply.status == 200, reply.body
    return reply.body


def case(api, created, token):
    return api.call("GET", f"/cases/{created['caseId']}", token).body


def messages(case_id: str, topic: str, channel: str) -> list:
    return [o for o in outbox.pending() if o.case_id == case_id and o.topic == topic and o.channel == channel]
