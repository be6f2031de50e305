"""The mediator signs in (ADR 0021, amended): the mediator scheduled for a mediation records its
session, proposes the agreement or terminates it, as an officer may; another mediator is told the
mediation does not exist, a party is refused."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue
from tests.factories import staff_token
from tests.integration import dispute_steps
from tests.integration.dispute_steps import case
from tests.integration.test_mediation import SETTLEMENT, _scheduled

clock = dispute_steps.clock  # the fixture, used by name


def _mediator(subject: str = "M0001", jurisdiction: str = "320900") -> str:
    principal = Principal(subject=subject, role=Role.MEDIATOR, jurisdiction=jurisdiction)
    return issue(principal, os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


def _session(api, token, mediation_id, people):
    return api.call("POST", f"/mediation/{mediation_id}/session", token,
                    {"attended": [p["participantId"] for p in people], "minutes": "调解员主持，双方陈述意见。"})


def test_given_the_scheduled_mediator_when_it_records_the_session_and_proposes_then_accepted_and_others_are_not(api, officer, clock):
    created, mediation_id = _scheduled(api, officer, clock)  # mediator M0001
    mediator, other_mediator = _mediator(), _mediator("M0002")
    people = case(api, created, officer)["mediation"]["participants"]
    clock("2026-10-09T10:05:00+08:00")
    assert _session(api, other_mediator, mediation_id, people).status == 404
    assert _session(api, created["parties"][0]["token"], mediation_id, people).status == 403
    recorded = _session(api, mediator, mediation_id, people)
    assert recorded.status == 200, recorded.body
    assert recorded.body["status"] == "IN_SESSION" and recorded.body["minutes"] == ["调解员主持，双方陈述意见。"]

    terms = {**SETTLEMENT, "shares": [{"partyId": created["parties"][0]["partyId"], "amountFen": 370000}]}
    assert api.call("POST", f"/mediation/{mediation_id}/agreement", other_mediator, terms).status == 404
    assert api.call("POST", f"/mediation/{mediation_id}/agreement", created["parties"][1]["token"], terms).status == 403
    proposed = api.call("POST", f"/mediation/{mediation_id}/agreement", mediator, terms)
    assert proposed.status == 200, proposed.body
    assert proposed.body["settlement"]["items"][0]["amountFen"] == 320000
    # the officer still may, as before
    assert _session(api, officer, mediation_id, []).status == 200


def test_given_the_scheduled_mediator_when_it_terminates_then_the_termination_is_issued_and_another_mediator_gets_404(
    api, officer, clock
):
    created, mediation_id = _scheduled(api, officer, clock)
    body = {"reason": "WITHDRAWN", "reasonText": "乙方书面撤回调解申请。"}
    assert api.call("POST", f"/mediation/{mediation_id}/terminate", _mediator("M0002"), body).status == 404
    assert api.call("POST", f"/mediation/{mediation_id}/terminate", created["parties"][1]["token"], body).status == 403
    ended = api.call("POST", f"/mediation/{mediation_id}/terminate", staff_token("mediator"), body)  # M0001
    assert ended.status == 200, ended.body
    assert ended.body["status"] == "TERMINATED" and ended.body["documentId"]
    assert case(api, created, officer)["status"] == "MEDIATION_TERMINATED"


def test_given_a_mediator_of_another_unit_when_it_names_this_mediation_then_404(api, officer, clock):
    _, mediation_id = _scheduled(api, officer, clock)
    stranger = _mediator(jurisdiction="320100")  # the same id, but a token for another unit
    clock("2026-10-09T10:05:00+08:00")
    assert api.call("POST", f"/mediation/{mediation_id}/session", stranger, {}).status == 404


def test_given_the_scheduled_mediator_when_it_reads_the_mediation_then_it_sees_the_participants_to_record_and_others_do_not(
    api, officer, clock
):
    stranger = api.case_awaiting_determination()["parties"][0]["token"]  # before the clock is set
    created, mediation_id = _scheduled(api, officer, clock)
    read = api.call("GET", f"/mediation/{mediation_id}", _mediator())
    assert read.status == 200, read.body
    assert [p["partyId"] for p in read.body["participants"]] == [p["partyId"] for p in created["parties"]]
    assert api.call("GET", f"/mediation/{mediation_id}", _mediator("M0002")).status == 404
    assert api.call("GET", f"/mediation/{mediation_id}", officer).status == 200
    own = api.call("GET", f"/mediation/{mediation_id}", created["parties"][0]["token"]).body
    assert own["participants"][1]["name"] != read.body["participants"][1]["name"]  # the other side masked for a party
    assert api.call("GET", f"/mediation/{mediation_id}", stranger).status == 404
