"""Who is in a case room: derived from the case for each role, refused (404) for everyone else."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.principals import Principal, Role
from chalicelib.domain.tokens import issue
from chalicelib.errors import NotFound
from chalicelib.services.room import members
from chalicelib.store import cases
from chalicelib.store.models import HandoffItem, RescueOrderItem
from tests.factories import staff_token, tow_token


def _token(role: Role, org: str | None = None, subject: str = "S1") -> str:
    return issue(Principal(subject=subject, role=role, org=org), os.environ["TOKEN_SECRET"], datetime.now(UTC), timedelta(hours=1))


@pytest.fixture
def case(api):
    return api.create_case().body


def _room(api, case, token):
    return api.call("GET", f"/cases/{case['caseId']}/room/messages", token)


def _towed(record, truck: str, shop: str | None, handed_to: str | None = None):
    """The record with a rescue order taken by `truck` to `shop` (and a hand-off), as the workflow leaves it."""
    order = RescueOrderItem(order_id="R1", case_id=record.case.case_id, seq=1, truck_id=truck, destination=shop,
                            party_id=record.parties[0].party_id)
    record.rescues.append(order)
    if handed_to:
        record.handoffs.append(HandoffItem(handoff_id="H1", case_id=record.case.case_id, order_id="R1",
                                           party_id=record.parties[0].party_id, repair_shop=handed_to, truck_id=truck))
    return record


def test_given_a_case_then_its_room_has_its_parties_police_and_insurers_with_their_labels(api, case):
    record = cases.load(case["caseId"])
    found = members.members(record)
    assert [(m.kind, m.label) for m in found] == [
        ("party", "甲方"), ("party", "乙方"), ("police", "民警"),
        ("insurer", "中国人民财产保险股份有限公司"), ("insurer", "中国平安财产保险股份有限公司"),
    ]
    assert [m.key for m in found][:3] == [p["partyId"] for p in case["parties"]] + [record.case.jurisdiction]


def test_given_each_member_role_when_it_reads_the_room_then_200(api, case):
    callers = [case["parties"][0]["token"], case["parties"][1]["token"], staff_token("officer"), staff_token("supervisor"),
               _token(Role.INSURER, "PICC"), _token(Role.INSURER, "PAIC")]
    assert [_room(api, case, token).status for token in callers] == [200] * len(callers)


def test_given_outsiders_when_they_read_or_post_then_404_as_for_the_case(api, case):
    other = api.create_case().body
    outsiders = [other["parties"][0]["token"], staff_token("officer", jurisdiction="320100"), _token(Role.INSURER, "CPIC"),
                 _token(Role.HOSPITAL, "YCH01"), tow_token("TT01"), _token(Role.REPAIRER, "RP01"), _token(Role.MEDIATOR)]
    for token in outsiders:
        assert _room(api, case, token).status == 404
        posted = api.call("POST", f"/cases/{case['caseId']}/room/messages", token, {"text": "你好"})
        assert posted.status == 404 and posted.body["error"]["field"] == "caseId"
        assert api.call("GET", f"/cases/{case['caseId']}", token).status in (403, 404)


def test_given_a_tow_order_then_the_truck_that_took_it_and_its_repair_shops_are_members(api, case):
    record = _towed(cases.load(case["caseId"]), "TT01", "RP01", handed_to="RP02")
    truck = members.member_for(Principal(subject="tow-TT01", role=Role.TOW, org="TT01"), record)
    assert (truck.kind, truck.key, truck.label) == ("tow", "TT01", "救援车辆")
    shop = members.member_for(Principal(subject="r", role=Role.REPAIRER, org="RP01"), record)
    assert shop.kind == "repairer" and shop.label.startswith("盐城市")
    assert members.member_for(Principal(subject="r", role=Role.REPAIRER, org="RP02"), record).key == "RP02"
    for stranger in (Principal(subject="tow-TT02", role=Role.TOW, org="TT02"), Principal(subject="r", role=Role.REPAIRER, org="RP03")):
        with pytest.raises(NotFound):
            members.member_for(stranger, record)


def test_given_a_direct_pay_hospital_and_a_scheduled_mediator_then_both_are_members_and_not_before(api, case):
    from chalicelib.domain.mediation import Mediation, MediationStatus
    from chalicelib.domain.medical import MedicalApplication, MedicalStatus

    record = cases.load(case["caseId"])
    hospital, mediator = Principal(subject="h", role=Role.HOSPITAL, org="YCH01"), Principal(subject="M0001", role=Role.MEDIATOR)
    application = MedicalApplication(
        application_id="MA1", case_id=case["caseId"], injured_party_id=record.parties[1].party_id, hospital_code="YCH01",
        injury_description="右手腕疼痛", status=MedicalStatus.REQUESTED, status_since="2026-11-29T08:00:00Z",
        requested_at="2026-11-29T08:00:00Z", requested_by="O0001", execution_name="medical-x",
    )
    record.medical = [application]
    record.case.mediation = Mediation(mediation_id="MD1", status=MediationStatus.REQUESTED)
    for outsider in (hospital, mediator):  # applied for, not yet approved; asked for, not yet scheduled
        with pytest.raises(NotFound):
            members.member_for(outsider, record)
    record.medical = [application.model_copy(update={"approved_at": "2026-11-29T08:05:00Z"})]
    record.case.mediation = Mediation(mediation_id="MD1", status=MediationStatus.SCHEDULED, mediator_id="M0001")
    assert members.member_for(hospital, record).label == "盐城市第一人民医院"
    assert members.member_for(mediator, record).label == "调解员"
    assert [m.kind for m in members.members(record)][-2:] == ["hospital", "mediator"]
    record.case.mediation = Mediation(mediation_id="MD1", status=MediationStatus.CANCELLED, mediator_id="M0001")
    with pytest.raises(NotFound):
        members.member_for(mediator, record)


def test_given_a_revoked_party_link_then_404(api, case):
    record = cases.load(case["caseId"])
    revoked = Principal(subject=case["parties"][0]["partyId"], role=Role.PARTY, case_id=case["caseId"], token_id="old")
    with pytest.raises(NotFound):
        members.member_for(revoked, record)
