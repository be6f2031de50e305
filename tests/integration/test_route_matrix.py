"""Every route × every role × own/other case × own/other party, generated from the route table.

A route that names a party (a `{partyId}` path, a rescue order of a case, a body field such as
`partyId` or `declaredLosses`) must declare it (`names_party=` on `operation`); where the caller
must be that party, a party acting for the other party of the same case gets 403."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.principals import ANY_AUTHENTICATED, POLICE, Principal, Role
from chalicelib.domain.tokens import issue, read
from tests.factories import case_body, evidence_request, photo, staff_token, tow_token, working_day

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}
CASE_BOUND = (Role.PARTY, Role.WECHAT_USER)
# Body fields that name a party of the case (by id, or keyed by party id).
PARTY_FIELDS = re.compile(r"(?i)party|^vehicleId$|^declaredLosses$|^liabilities$|^collisionParts$")

# A valid body per body model of a case route a party may call (the party it names, if any, filled in).
SAMPLE_BODIES: dict[str, Any] = {
    "chalicelib.contracts.claims:ReportClaims": lambda party: {"declaredLosses": {party: 100}},
    "chalicelib.contracts.determination:Sign": lambda party: {"accept": True},
    "chalicelib.contracts.determination:ProposeAgreement": lambda party: {
        "scenario": "REAR_END", "liabilities": {party: "FULL"}, "facts": "甲方追尾乙方，双方同意。"},
    "chalicelib.contracts.evidence:RequestEvidence": lambda party: evidence_request(photo(0), "SCENE_PANORAMA"),
    "chalicelib.contracts.rescue:RequestRescue": lambda party: {"pickup": PICKUP, "partyId": party},
    "chalicelib.contracts.rescue:CancelRescue": lambda party: {},
    "chalicelib.contracts.referrals:BookReferral": lambda party: {
        "servicePointCode": "SP02", "service": "PROPERTY_VALUATION", "preferredDate": working_day().isoformat(), "partyId": party},
    "chalicelib.contracts.room:PostMessage": lambda party: {"text": "你好"},
    "chalicelib.contracts.disputes:RequestReview": lambda party: {"reason": "对责任认定有异议，申请复核。"},
    "chalicelib.contracts.disputes:AskMediation": lambda party: {},
    "chalicelib.contracts.medical:ApplyMedical": lambda party: {
        "injuredPartyId": party, "hospitalCode": "YCH01", "injuryDescription": "右手腕疼痛"},
}


def _operations():
    import app  # noqa: F401 (registers every route)
    from chalicelib.api.routing import OPERATIONS

    return OPERATIONS


def _party_named_by(op) -> set[str]:
    """Where a route names a party: path parameters and top-level body fields (wire names)."""
    from chalicelib.api.routing import resolve

    named = set(re.findall(r"\{(partyId)\}", op.path))
    if op.path.startswith("/cases/") and "{orderId}" in op.path:
        named.add("orderId")  # a rescue order is one party's
    if op.body:
        model = resolve(op.body)
        named |= {f.alias or name for name, f in model.model_fields.items() if PARTY_FIELDS.search(f.alias or name)}
    return named


def test_every_route_that_names_a_party_declares_it():
    undeclared, wrong = [], []
    for op in _operations():
        named = _party_named_by(op)
        if op.method == "GET" or not named or op.path in ("/cases", "/wechat/join"):
            continue  # reading, or creating a case / joining one (no party of an existing case is acted for)
        if op.names_party is None:
            undeclared.append(f"{op.method} {op.path} names {sorted(named)}")
        elif op.names_party.field not in named:
            wrong.append(f"{op.method} {op.path} declares {op.names_party.field}, names {sorted(named)}")
    assert undeclared == [] and wrong == []


def _token(role: Role) -> str:
    if role is Role.TOW:
        return tow_token("TRK-X")
    if role in (Role.INSURER, Role.HOSPITAL):
        return staff_token(role.value, org="PICC")
    principal = Principal(subject="P-ANY" if role is Role.PARTY else "o-nobody", role=role, case_id="YC-ANY", token_id="T")
    if role in POLICE:
        return staff_token(role.value)
    return issue(principal, os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


def _path(op, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "X0000001"), op.path)


def test_given_a_role_the_route_does_not_allow_then_403_whatever_the_body(api):
    wrong = []
    for op in _operations():
        if op.roles is None:
            continue
        for role in sorted(ANY_AUTHENTICATED - op.roles):
            reply = api.call(op.method, _path(op, {}), _token(role), {})
            if reply.status != 403:
                wrong.append(f"{role.value} {op.method} {op.path}: {reply.status}")
    assert wrong == []


@pytest.fixture
def two_cases(api, monkeypatch):
    """Cases A and B; party 0 of A also joined by WeChat; an open rescue order for every vehicle
    (the workflow itself is not started: these tests are about who may do what)."""
    from chalicelib.integrations import workflows
    from chalicelib.settings import reset_settings

    monkeypatch.setenv("RESCUE_STATE_MACHINE_ARN", "arn:aws:states:ap-east-1:000000000000:stateMachine:rescue")
    monkeypatch.setenv("MEDICAL_STATE_MACHINE_ARN", "arn:aws:states:ap-east-1:000000000000:stateMachine:medical")
    reset_settings()
    monkeypatch.setattr(workflows, "start", lambda *a, **k: None)
    monkeypatch.setattr(workflows, "stop", lambda *a, **k: None)
    cases = [api.create_case(case_body()).body for _ in range(2)]
    for case in cases:
        case["orders"] = {}
        for party in case["parties"]:
            reply = api.call("POST", f"/cases/{case['caseId']}/rescue", staff_token("officer"),
                             {"pickup": PICKUP, "partyId": party["partyId"]})
            assert reply.status == 201, reply.body
            case["orders"][party["partyId"]] = reply.body["orderId"]
    wechat = issue(Principal(subject="o-matrix", role=Role.WECHAT_USER), os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))
    joined = api.call("POST", "/wechat/join", wechat, {"token": cases[0]["parties"][0]["token"]})
    assert joined.status == 200, joined.body
    yield cases[0], cases[1], wechat
    reset_settings()


def _call_for(api, op, case: dict, party_id: str, token: str):
    values = {"caseId": case["caseId"], "partyId": party_id, "orderId": case["orders"][party_id]}
    body = SAMPLE_BODIES[op.body](party_id) if op.body else None
    return api.call(op.method, _path(op, values), token, body)


def _case_routes_for(role: Role):
    return [op for op in _operations() if op.path.startswith("/cases/{caseId}") and op.roles and role in op.roles]


def test_every_case_route_a_party_may_call_has_a_sample_body():
    missing = {op.body for role in CASE_BOUND for op in _case_routes_for(role) if op.body and op.body not in SAMPLE_BODIES}
    assert missing == set()


def test_given_a_party_or_its_wechat_user_on_another_case_then_404_for_every_case_route(api, two_cases):
    case_a, case_b, wechat = two_cases
    wrong = []
    for role, token in ((Role.PARTY, case_a["parties"][0]["token"]), (Role.WECHAT_USER, wechat)):
        for op in _case_routes_for(role):
            reply = _call_for(api, op, case_b, case_b["parties"][0]["partyId"], token)
            if reply.status != 404 or "parties" in str(reply.body):
                wrong.append(f"{role.value} {op.method} {op.path}: {reply.status} {reply.body}")
    assert wrong == []


def _audit_length(case_id: str) -> int:
    from chalicelib.store import cases

    return int(cases.load(case_id).case.audit_seq)


def test_given_a_party_or_its_wechat_user_acting_for_the_other_party_then_403_and_nothing_written(api, two_cases):
    case_a, _, wechat = two_cases
    other = case_a["parties"][1]["partyId"]
    written = _audit_length(case_a["caseId"])
    wrong, checked = [], []
    for role, token in ((Role.PARTY, case_a["parties"][0]["token"]), (Role.WECHAT_USER, wechat)):
        for op in _case_routes_for(role):
            if op.names_party is None or not op.names_party.own_only:
                continue
            checked.append(f"{role.value} {op.method} {op.path}")
            reply = _call_for(api, op, case_a, other, token)
            if reply.status != 403:
                wrong.append(f"{role.value} {op.method} {op.path}: {reply.status} {reply.body}")
    assert wrong == []
    assert _audit_length(case_a["caseId"]) == written
    assert {"party POST /cases/{caseId}/rescue", "wechat POST /cases/{caseId}/rescue/{orderId}/cancel",
            "party POST /cases/{caseId}/claims"} <= set(checked)


def test_given_a_party_or_police_acting_for_that_party_then_not_refused(api, two_cases):
    """The control: the check refuses the other party, not the party itself or the police."""
    case_a, _, wechat = two_cases
    me, other = (p["partyId"] for p in case_a["parties"])
    wrong = []
    callers = ((case_a["parties"][0]["token"], me), (wechat, me), (staff_token("officer"), other))
    for op in _operations():
        if not (op.names_party and op.names_party.own_only and op.path.startswith("/cases/{caseId}")):
            continue
        for token, party_id in callers:
            role = read(token, os.environ["TOKEN_SECRET"]).role
            if op.roles and role in op.roles:
                reply = _call_for(api, op, case_a, party_id, token)
                if reply.status in (403, 404) or reply.status >= 500:
                    wrong.append(f"{role.value} {op.method} {op.path}: {reply.status} {reply.body}")
    assert wrong == []
