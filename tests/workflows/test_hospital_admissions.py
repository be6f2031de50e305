"""Given patients admitted by scanning their direct-pay codes, the hospital's admission says whom it
admitted (name in full, case, injury, the insurers that pay, the deadlines), and the hospital can list
its own admissions still open for bills, newest first, a page at a time, to go back to one."""

from __future__ import annotations

from typing import Any

from tests.workflows.test_medical_workflow import (  # noqa: F401 (`medical` is the fixture the tests take)
    HOSPITAL,
    apply,
    approved,
    determined_injury_case,
    hospital_token,
    medical,
    waiting_for,
)

OTHER_HOSPITAL = "YCH02"


def admitted(flow: Any, hospital: str = HOSPITAL) -> dict:
    case = determined_injury_case(flow)
    if hospital != HOSPITAL:
        application_id = apply(flow, case, hospitalCode=hospital).body["applicationId"]
        waiting_for(flow, case, application_id, "APPROVAL")
        from tests.factories import staff_token

        token = flow.api.call("POST", f"/medical/{application_id}/approve", staff_token("officer")).body["qrToken"]
    else:
        token = approved(flow, case)["qrToken"]
    scanned = flow.api.call("POST", "/hospital/scan", hospital_token(hospital), {"token": token})
    assert scanned.status == 200, scanned.body
    return scanned.body | {"case": case}


def test_given_a_scan_then_the_admission_names_the_patient_case_injury_payers_and_deadlines(medical):  # noqa: F811
    admission = admitted(medical)
    case = admission["case"]
    assert admission["caseId"] == case["caseId"]
    assert admission["patientName"] == "孙丽"  # in full: the nurse checks it against her ID card
    assert admission["injuryDescription"] == "右手腕骨折"
    assert admission["insurers"] == ["中国人民财产保险股份有限公司"]  # Liu's car's 交强险 pays for Sun
    assert admission["directPayUntil"] < admission["coveredUntil"]

    again = medical.api.call("GET", f"/hospital/admissions/{admission['admissionId']}", hospital_token())
    assert again.status == 200, again.body
    assert again.body == {k: v for k, v in admission.items() if k != "case"}
    elsewhere = medical.api.call("GET", f"/hospital/admissions/{admission['admissionId']}", hospital_token(OTHER_HOSPITAL))
    assert elsewhere.status == 404 and elsewhere.body["error"]["field"] == "admissionId"


def test_given_admissions_at_two_hospitals_then_each_lists_only_its_own_newest_first_a_page_at_a_time(medical):  # noqa: F811
    first, second = admitted(medical), admitted(medical)
    theirs = admitted(medical, OTHER_HOSPITAL)

    listed: list[dict] = []
    pages = 0
    token = None
    while True:
        query = f"?limit=1&nextToken={token}" if token else "?limit=1"
        page = medical.api.call("GET", f"/hospital/admissions{query}", hospital_token())
        assert page.status == 200, page.body
        assert len(page.body["items"]) <= 1
        listed.extend(page.body["items"])
        pages += 1
        token = page.body["nextToken"]
        if not token:
            break
    ids = [item["admissionId"] for item in listed]
    assert pages >= 2
    assert theirs["admissionId"] not in ids
    assert ids.index(second["admissionId"]) < ids.index(first["admissionId"])  # newest first
    shown = next(item for item in listed if item["admissionId"] == first["admissionId"])
    assert shown["patientName"] == "孙丽" and shown["caseId"] == first["case"]["caseId"]
    assert all(item["hospitalCode"] == HOSPITAL for item in listed)

    bad = medical.api.call("GET", "/hospital/admissions?nextToken=not-ours", hospital_token())
    assert bad.status == 400 and bad.body["error"]["field"] == "nextToken"
