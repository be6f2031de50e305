"""Hit-and-run: an officer records that a vehicle's driver fled (`POST /cases/{caseId}/parties/{partyId}/fled`);
the record is audited, said once, and makes that vehicle's injured a case for the rescue fund."""

from __future__ import annotations

from tests.factories import case_body, party, staff_token
from tests.payers import determined


def fled(api, case_id: str, party_id: str, token: str | None = None):
    return api.call("POST", f"/cases/{case_id}/parties/{party_id}/fled", token or staff_token("officer"))


def test_given_a_driver_who_fled_when_the_officer_records_it_then_it_is_on_the_vehicle_and_in_the_timeline_once(api):
    created = determined(api)
    case_id, liu = created["caseId"], created["parties"][0]["partyId"]

    first = fled(api, case_id, liu)
    assert first.status == 200, first.body
    assert first.body == {"caseId": case_id, "partyId": liu, "fled": True}
    assert fled(api, case_id, liu).status == 200  # said again: nothing more is recorded

    timeline = api.call("GET", f"/cases/{case_id}/timeline", staff_token("officer")).body["entries"]
    assert [e["text"] for e in timeline if e["action"] == "PARTY_FLED"] == ["民警已记录当事车辆驾驶人肇事逃逸"]
    audit = api.call("GET", f"/cases/{case_id}/audit", staff_token("officer")).body["entries"]
    assert [e["detail"] for e in audit if e["action"] == "PARTY_FLED"] == [{"partyId": liu}]
    from chalicelib.store import cases

    assert cases.plain(cases.load(case_id).party(liu).vehicle)["fled"] is True


def test_given_a_party_without_a_vehicle_or_not_of_the_case_then_refused_naming_the_party(api):
    created = determined(api, case_body([party(0), party(1, kind="PEDESTRIAN", vehicle=None)]))
    case_id = created["caseId"]

    walking = fled(api, case_id, created["parties"][1]["partyId"])
    assert walking.status == 400 and walking.body["error"]["field"] == "partyId", walking.body
    unknown = fled(api, case_id, "P-NOPE")
    assert unknown.status == 404 and unknown.body["error"]["field"] == "partyId", unknown.body


def test_given_anyone_but_police_of_the_unit_then_they_cannot_record_a_flight(api):
    created = determined(api)
    case_id, liu = created["caseId"], created["parties"][0]["partyId"]

    assert fled(api, case_id, liu, created["parties"][1]["token"]).status == 403
    assert fled(api, case_id, liu, staff_token("officer", jurisdiction="320100")).status == 404
    from chalicelib.store import cases

    assert "fled" not in cases.plain(cases.load(case_id).party(liu).vehicle)
