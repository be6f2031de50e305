"""Remote determination: the officer decides, the letter is issued and verifiable, parties sign."""

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from chalicelib.store import outbox
from tests.factories import case_body, pdf_text, staff_token


def _determine(api, case_id, officer, **body):
    payload = {"scenario": "REAR_END", "facts": "甲方车辆在解放南路由南向北行驶时追撞前方乙方车辆尾部。", **body}
    return api.call("POST", f"/cases/{case_id}/determination", officer, payload)


def _pdf_text(api, case_id, token, document_id):
    link = api.call("GET", f"/cases/{case_id}/documents/{document_id}", token).body
    assert f"documents/{case_id}/{document_id}.pdf" in link["url"]
    return pdf_text(case_id, document_id)


def test_given_case_awaiting_when_officer_determines_rear_end_then_letter_issued_and_suggestion_applied(api, officer):
    body = case_body()
    created = api.case_awaiting_determination(body)
    case_id = created["caseId"]
    first, second = (p["partyId"] for p in created["parties"])
    reply = _determine(api, case_id, officer, atFaultPartyId=first)
    assert reply.status == 201, reply.body
    determination = reply.body["determination"]
    assert reply.body["status"] == "DETERMINED"
    assert determination["liabilities"] == {first: "FULL", second: "NONE"}
    assert determination["suggested"] == determination["liabilities"] and not determination["overridden"]
    assert determination["officerBadge"] == "320917"
    assert determination["deadlines"]["reviewBy"] > determination["deadlines"]["servedOn"]

    letter_id = reply.body["letterDocumentId"]
    text = _pdf_text(api, case_id, officer, letter_id)
    for value in ("道路交通事故认定书（简易程序）", "盐城市公安局交通警察支队", "320917", "晴", "追尾碰撞",
                  "盐城市亭湖区解放南路与人民中路交叉口", "全部责任", "无责任", "复核", "调解", f"/verify/{letter_id}"):
        assert value in text, value
    for party in body["parties"]:
        vehicle = party["vehicle"]
        for value in (party["name"], party["idNumber"], party["phone"], vehicle["plate"], vehicle["type"], vehicle["policyNo"]):
            assert value in text, value
    assert "中国人民财产保险股份有限公司" in text and "中国平安财产保险股份有限公司" in text

    check = api.call("GET", f"/verify/{letter_id}").body
    assert check["genuine"] is True and check["sha256"] == check["recordedSha256"]
    stored = client("s3").head_object(Bucket=get_settings().documents_bucket, Key=f"documents/{case_id}/{letter_id}.pdf")
    assert stored["ObjectLockMode"] == "COMPLIANCE"
    view = api.call("GET", f"/cases/{case_id}", created["parties"][1]["token"]).body
    assert view["determination"]["scenario"] == "REAR_END"
    assert [d["documentId"] for d in view["documents"]] == [letter_id]
    topics = sorted((o.recipient, o.topic) for o in outbox.pending() if o.case_id == case_id and o.channel == "WEBHOOK")
    assert ("PICC", "case.determined") in topics and ("PAIC", "document.issued") in topics


def test_given_both_parties_accept_when_signing_then_confirmed(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    _determine(api, case_id, officer, atFaultPartyId=created["parties"][0]["partyId"])
    for access in created["parties"]:
        signed = api.call("POST", f"/cases/{case_id}/parties/{access['partyId']}/sign", access["token"], {"accept": True})
        assert signed.status == 200, signed.body
    assert signed.body["status"] == "CONFIRMED"
    again = api.call("POST", f"/cases/{case_id}/parties/{access['partyId']}/sign", access["token"], {"accept": True})
    assert again.status == 200  # a retry of the same answer
    changed = api.call("POST", f"/cases/{case_id}/parties/{access['partyId']}/sign", access["token"], {"accept": False, "reason": "改主意"})
    assert changed.status == 409


def test_given_a_refusal_when_signing_then_disputed_with_deadlines_and_reissued_letter_recording_it(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    first = _determine(api, case_id, officer, atFaultPartyId=created["parties"][0]["partyId"]).body
    refuser = created["parties"][1]
    reply = api.call("POST", f"/cases/{case_id}/parties/{refuser['partyId']}/sign", refuser["token"],
                     {"accept": False, "reason": "对方突然变道，不是追尾"})
    assert reply.status == 200, reply.body
    assert reply.body["status"] == "DISPUTED"
    reissued = reply.body["documentId"]
    assert reissued != first["letterDocumentId"]
    view = api.call("GET", f"/cases/{case_id}", refuser["token"]).body
    assert view["determination"]["deadlines"] == first["determination"]["deadlines"]
    assert [(d["revision"], d["current"]) for d in view["documents"]] == [(1, False), (2, True)]
    text = _pdf_text(api, case_id, refuser["token"], reissued)
    assert "拒绝签字" in text and "对方突然变道，不是追尾" in text and "第2版" in text


def test_given_determination_rules_when_broken_then_clear_4xx(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    first, second = (p["partyId"] for p in created["parties"])
    assert _determine(api, case_id, officer).body["error"]["field"] == "atFaultPartyId"
    assert _determine(api, case_id, officer, scenario="TELEPORT", atFaultPartyId=first).body["error"]["field"] == "scenario"
    no_reason = _determine(api, case_id, officer, atFaultPartyId=first, liabilities={first: "PRIMARY", second: "SECONDARY"})
    assert no_reason.status == 400 and "overrideReason" in no_reason.body["error"]["message"]
    two_full = _determine(api, case_id, officer, atFaultPartyId=first, liabilities={first: "FULL", second: "FULL"},
                          overrideReason="双方均违法")
    assert two_full.status == 400 and two_full.body["error"]["field"] == "liabilities"
    party = created["parties"][0]["token"]
    assert _determine(api, case_id, party, atFaultPartyId=first).status == 403
    assert _determine(api, case_id, staff_token("dispatcher"), atFaultPartyId=first).status == 403

    override = _determine(api, case_id, officer, atFaultPartyId=first, liabilities={first: "PRIMARY", second: "SECONDARY"},
                          overrideReason="乙方倒车，存在过错")
    assert override.status == 201
    assert override.body["determination"]["overridden"] is True
    assert override.body["determination"]["suggested"] == {first: "FULL", second: "NONE"}
    assert _determine(api, case_id, officer, atFaultPartyId=first).status == 409


def test_given_two_parties_or_a_huge_collision_part_when_determined_then_400_and_the_case_untouched(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    first = created["parties"][0]["partyId"]
    single = _determine(api, case_id, officer, scenario="SINGLE_VEHICLE", atFaultPartyId=first)
    assert single.status == 400 and single.body["error"]["field"] == "scenario"
    long = _determine(api, case_id, officer, atFaultPartyId=first, collisionParts={first: "前" * 10_000})
    assert long.status == 400 and long.body["error"]["field"] == f"collisionParts.{first}"
    huge = _determine(api, case_id, officer, atFaultPartyId=first, collisionParts={first: "前" * 1_000_000})
    assert huge.status == 413 and huge.body["error"]["field"] == "body"  # refused before it is parsed
    assert api.call("GET", f"/cases/{case_id}", officer).body["status"] == "AWAITING_DETERMINATION"


def test_given_a_signature_that_is_not_a_json_boolean_when_signing_then_400_and_nothing_signed(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    assert _determine(api, case_id, officer, atFaultPartyId=created["parties"][0]["partyId"]).status == 201
    other = created["parties"][1]
    reply = api.call("POST", f"/cases/{case_id}/parties/{other['partyId']}/sign", other["token"], {"accept": "yes"})
    assert reply.status == 400 and reply.body["error"]["field"] == "accept"
    assert api.call("GET", f"/cases/{case_id}", officer).body["signatures"] == {}


def test_given_case_still_collecting_evidence_when_determined_then_409(api, officer):
    created = api.create_case().body
    assert _determine(api, created["caseId"], officer, atFaultPartyId=created["parties"][0]["partyId"]).status == 409


def test_given_stored_letter_tampered_when_verified_then_not_genuine(api, officer):
    created = api.case_awaiting_determination()
    case_id = created["caseId"]
    letter_id = _determine(api, case_id, officer, atFaultPartyId=created["parties"][0]["partyId"]).body["letterDocumentId"]
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=f"documents/{case_id}/{letter_id}.pdf", Body=b"%PDF-forged")
    check = api.call("GET", f"/verify/{letter_id}").body
    assert check["genuine"] is False
    assert check["reason"] == "the stored document differs from the one issued"
    assert check["sha256"] != check["recordedSha256"]
    assert api.call("GET", "/verify/DOCNOSUCHTHING00").status == 404


def test_given_party_when_signing_for_another_then_403_and_other_case_404(api, officer):
    created = api.case_awaiting_determination()
    other = api.create_case().body
    case_id = created["caseId"]
    _determine(api, case_id, officer, atFaultPartyId=created["parties"][0]["partyId"])
    me, them = created["parties"]
    assert api.call("POST", f"/cases/{case_id}/parties/{them['partyId']}/sign", me["token"], {"accept": True}).status == 403
    stranger = other["parties"][0]
    assert api.call("POST", f"/cases/{case_id}/parties/{me['partyId']}/sign", stranger["token"], {"accept": True}).status == 404
    assert api.call("POST", f"/cases/{case_id}/parties/{me['partyId']}/sign", me["token"], {"accept": False}).status == 400


def test_given_any_caller_when_listing_scenarios_then_versioned_catalogue(api):
    token = api.create_case().body["parties"][0]["token"]
    catalogue = api.call("GET", "/scenarios", token).body
    assert catalogue["province"] == "GD" and catalogue["version"]
    codes = [s["code"] for s in catalogue["scenarios"]]
    assert codes[0] == "REAR_END" and "SINGLE_VEHICLE" in codes and "BOTH_AT_FAULT" in codes and len(codes) == 17
    rear_end = catalogue["scenarios"][0]
    assert (rear_end["label"], rear_end["suggestedLiability"]) == ("追尾", "AT_FAULT_FULL")
    assert api.call("GET", "/scenarios").status == 401
