"""The portal's sign-in: locally a stand-in lists the seeded accounts and hands out a token
(`/local/staff`, 404 in every other stage); in every stage `GET /portal/me` says who a token is,
so the page can store the session for a Cognito ID token as for a local one."""

from __future__ import annotations

import pytest

from tests.cognito_pool import served


@pytest.fixture
def aws_stage(monkeypatch):
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("STAGE", "prod")
    reset_settings()
    yield
    monkeypatch.delenv("STAGE")
    reset_settings()


def test_given_local_stage_when_listing_staff_then_seeded_staff_and_partners_with_role_org_name(api):
    reply = api.call("GET", "/local/staff")
    assert reply.status == 200, reply.body
    accounts = reply.body["accounts"]
    officers = [a for a in accounts if a["role"] == "officer"]
    assert [(a["subject"], a["name"], a["jurisdiction"]) for a in officers] == [
        ("O0001", "民警 王", "320900"), ("O0002", "民警 李", "320900")]
    by_role = {a["role"] for a in accounts}
    assert {"dispatcher", "supervisor", "insurer", "hospital", "tow", "repairer"} <= by_role
    picc = next(a for a in accounts if a["role"] == "insurer" and a["org"] == "PICC")
    assert picc["name"] == "中国人民财产保险股份有限公司" and picc["subject"] == "insurer-PICC"


def test_given_a_listed_officer_when_token_requested_then_a_working_session_for_that_officer(api):
    reply = api.call("POST", "/local/staff/token", body={"role": "officer", "subject": "O0002"})
    assert reply.status == 200, reply.body
    session = reply.body
    assert {k: session[k] for k in ("role", "subject", "org", "jurisdiction", "name")} == {
        "role": "officer", "subject": "O0002", "org": None, "jurisdiction": "320900", "name": "民警 李"}
    assert api.call("GET", "/portal/queue", session["token"]).status == 200
    me = api.call("GET", "/portal/me", session["token"]).body
    assert (me["role"], me["subject"], me["name"]) == ("officer", "O0002", "民警 李")


def test_given_a_tow_truck_when_token_requested_then_bound_to_its_truck(api):
    session = api.call("POST", "/local/staff/token", body={"role": "tow", "org": "TT07"}).body
    assert (session["role"], session["org"], session["subject"]) == ("tow", "TT07", "tow-TT07")


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "officer", "subject": "S0001"}, "subject"),
    ({"role": "insurer", "org": "NOPE"}, "org"),
    ({"role": "party"}, "role"),
    ({"role": "system"}, "role"),
    ({"role": "king"}, "role"),
])
def test_given_an_account_not_seeded_when_token_requested_then_400_naming_the_field(api, body, field):
    reply = api.call("POST", "/local/staff/token", body=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field


def test_given_an_aws_stage_when_calling_the_stand_in_then_404(api, aws_stage):
    assert api.call("GET", "/local/staff").status == 404
    reply = api.call("POST", "/local/staff/token", body={"role": "officer"})
    assert reply.status == 404 and reply.body["error"]["field"] == "path"


def test_given_a_cognito_id_token_when_asking_who_then_its_role_and_unit(api, monkeypatch):
    with served(monkeypatch) as pool:
        me = api.call("GET", "/portal/me", pool.id_token("officer"))
    assert me.status == 200, me.body
    assert (me.body["role"], me.body["jurisdiction"]) == ("officer", "320900")


def test_given_no_token_or_a_party_token_when_asking_who_then_refused(api):
    assert api.call("GET", "/portal/me").status == 401
    party = api.create_case().body["parties"][0]["token"]
    assert api.call("GET", "/portal/me", party).status == 403
