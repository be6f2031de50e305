"""Staff signed in through Cognito use the API like the local tokens (ADR 0025): a Cognito-signed
officer reads the jurisdiction's queue; a token from another issuer gets 401."""

from __future__ import annotations

import pytest

from tests.cognito_pool import served


@pytest.fixture
def pool(monkeypatch):
    with served(monkeypatch) as stand_in:
        yield stand_in


def test_given_a_cognito_officer_when_reading_the_queue_then_the_jurisdictions_cases(pool, api):
    from chalicelib.store import cases as store

    case_id = api.create_case().body["caseId"]
    store.mutate(
        store.Principal(subject="T", role="officer", jurisdiction="320900"),
        case_id,
        lambda record: store.Change(action="EVIDENCE_COMPLETE", new_status="AWAITING_DETERMINATION"),
    )
    reply = api.call("GET", "/portal/queue", pool.id_token("officer"))
    assert reply.status == 200, reply.body
    assert [c["caseId"] for c in reply.body["cases"]] == [case_id]
    elsewhere = api.call("GET", "/portal/queue", pool.id_token("officer", **{"custom:jurisdiction": "320100"}))
    assert elsewhere.status == 200
    assert elsewhere.body["cases"] == []


def test_given_a_token_of_another_issuer_when_reading_the_queue_then_401(pool, api):
    reply = api.call("GET", "/portal/queue", pool.id_token("officer", iss="https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_Other"))
    assert reply.status == 401
    assert reply.body["error"] == {
        "code": "Unauthenticated",
        "message": "the token was issued by another sign-in service",
        "field": "Authorization",
    }
    assert pool.fetches == []


def test_given_a_client_credentials_token_when_reading_the_queue_then_403_as_an_insurer(pool, api):
    reply = api.call("GET", "/portal/queue", pool.client_credentials_token())
    assert reply.status == 403
    assert "insurer" in reply.body["error"]["message"]
