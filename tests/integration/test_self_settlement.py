"""Self-settlement (Order 146 Art.19-21): the parties agree without an officer."""

from chalicelib.store import outbox
from tests.factories import case_body, pdf_text


def _propose(api, created, proposer=0, **body):
    case_id = created["caseId"]
    first, second = (p["partyId"] for p in created["parties"])
    payload = {"scenario": "REAR_END", "atFaultPartyId": first, "liabilities": {first: "FULL", second: "NONE"},
               "facts": "甲方追尾乙方，双方同意由甲方承担全部责任。", **body}
    return api.call("POST", f"/cases/{case_id}/agreement", created["parties"][proposer]["token"], payload)


def test_given_parties_agree_when_the_other_signs_then_settled_with_agreement_pdf(api, officer):
    body = case_body()
    created = api.case_awaiting_determination(body)
    case_id = created["caseId"]
    proposed = _propose(api, created)
    assert proposed.status == 201, proposed.body
    assert proposed.body["status"] == "AGREEMENT_PROPOSED"
    queue = api.call("GET", "/portal/queue", officer).body
    assert case_id not in [c["caseId"] for c in queue["cases"]]

    other = created["parties"][1]
    signed = api.call("POST", f"/cases/{case_id}/parties/{other['partyId']}/sign", other["token"], {"accept": True})
    assert signed.status == 200, signed.body
    assert signed.body["status"] == "SETTLED"
    documents = api.call("GET", f"/cases/{case_id}/documents", other["token"]).body["items"]
    assert [d["kind"] for d in documents] == ["AGREEMENT"]
    agreement_id = documents[0]["documentId"]
    assert api.call("GET", f"/verify/{agreement_id}").body["genuine"] is True
    text = pdf_text(case_id, agreement_id)
    place = "盐城市亭湖区解放南路与人民中路交叉口"
    for value in ("自行协商协议书", "晴", "追尾碰撞", "全部责任", "无责任", place, f"/verify/{agreement_id}"):
        assert value in text, value
    for party in body["parties"]:
        for value in (party["name"], party["idNumber"], party["phone"], party["vehicle"]["plate"], party["vehicle"]["policyNo"]):
            assert value in text, value
    topics = sorted(o.topic for o in outbox.pending() if o.case_id == case_id and o.channel == "WEBHOOK" and o.recipient == "PICC")
    assert topics == ["agreement.proposed", "case.settled", "case.signed", "claim.reported", "document.issued"]


def test_given_other_party_refuses_when_signing_then_back_to_the_officer_queue(api, officer):
    created = api.case_awaiting_determination()
    _propose(api, created)
    other = created["parties"][1]
    refused = api.call("POST", f"/cases/{created['caseId']}/parties/{other['partyId']}/sign", other["token"],
                       {"accept": False, "reason": "我不同意"})
    assert refused.body["status"] == "AWAITING_DETERMINATION"
    queue = api.call("GET", "/portal/queue", officer).body
    assert created["caseId"] in [c["caseId"] for c in queue["cases"]]


def test_given_proposal_when_a_party_asks_for_police_then_in_queue(api, officer):
    created = api.case_awaiting_determination()
    _propose(api, created)
    asked = api.call("POST", f"/cases/{created['caseId']}/determination-request", created["parties"][1]["token"])
    assert asked.status == 200 and asked.body["status"] == "AWAITING_DETERMINATION"
    assert created["caseId"] in [c["caseId"] for c in api.call("GET", "/portal/queue", officer).body["cases"]]


def test_given_facility_damaged_when_parties_propose_then_409_police_must_decide(api):
    body = case_body()
    body["screening"]["facilityDamaged"] = True
    created = api.case_awaiting_determination(body)
    reply = _propose(api, created)
    assert reply.status == 409


def test_given_inconsistent_agreement_when_proposed_then_400(api):
    created = api.case_awaiting_determination()
    first, second = (p["partyId"] for p in created["parties"])
    reply = _propose(api, created, liabilities={first: "PRIMARY", second: "NONE"})
    assert reply.status == 400 and reply.body["error"]["field"] == "liabilities"


def test_given_two_parties_when_proposing_a_single_vehicle_agreement_then_400_on_scenario(api):
    created = api.case_awaiting_determination()
    reply = _propose(api, created, scenario="SINGLE_VEHICLE")
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == "scenario"
