"""Given Sun's approved direct-pay application, her page may draw her QR code (she shows it to the
hospital's scanner): the code is hers alone, as is the 急诊直赔通知书 that carries it; Liu (the other
driver) and insurers see neither, and the code is drawn only while it can still admit her."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.documents.layout import qr_svg
from tests.factories import staff_token
from tests.workflows.test_medical_workflow import (
    LIU,
    SUN,
    apply,
    approved,
    determined_injury_case,
    hospital_token,
    ledger,
    medical,
    waiting_for,
)

__all__ = ["medical"]  # the fixture, used by name


def _code(flow, case: dict, application_id: str, token: str):
    return flow.api.get_bytes(f"/cases/{case['caseId']}/medical/{application_id}/qr", token)


def _insurer_token() -> str:
    return staff_token("insurer", org="PICC")


def test_given_an_approved_application_when_the_injured_party_asks_then_her_code_is_drawn_uncached(medical):
    case = determined_injury_case(medical)
    application = approved(medical, case)
    drawn = _code(medical, case, application["applicationId"], case["parties"][SUN]["token"])
    assert drawn.status == 200
    assert drawn.headers["Content-Type"] == "image/svg+xml" and drawn.headers["Cache-Control"] == "no-store"
    assert drawn.body == qr_svg(application["qrToken"])  # the very token the hospital's scan admits


def test_given_an_approved_application_when_the_other_party_or_an_insurer_or_a_hospital_asks_then_no_code_nor_notice(medical):
    case = determined_injury_case(medical)
    application = approved(medical, case)
    liu = case["parties"][LIU]["token"]
    notice = application["noticeDocumentId"]
    assert _code(medical, case, application["applicationId"], liu).status == 404
    assert _code(medical, case, application["applicationId"], _insurer_token()).status == 403
    assert _code(medical, case, application["applicationId"], hospital_token()).status == 403
    assert ledger(medical, case, liu).body["applications"] == []
    assert all(line["qrToken"] is None for line in ledger(medical, case, _insurer_token()).body["applications"])

    # The notice carries the code: the other party neither lists nor downloads it; she and police do.
    listed = medical.api.call("GET", f"/cases/{case['caseId']}", liu).body["documents"]
    assert notice not in [d["documentId"] for d in listed]
    assert medical.api.call("GET", f"/cases/{case['caseId']}/documents", liu).body["items"] == listed
    refused = medical.api.call("GET", f"/cases/{case['caseId']}/documents/{notice}", liu)
    assert refused.status == 404 and refused.body["error"]["field"] == "documentId"
    insurer_view = medical.api.call("GET", f"/insurer/cases/{case['caseId']}", _insurer_token())  # PICC insures Liu
    assert insurer_view.status == 200 and notice not in [d["documentId"] for d in insurer_view.body["documents"]]
    for reader in (case["parties"][SUN]["token"], staff_token("officer")):
        assert notice in [d["documentId"] for d in medical.api.call("GET", f"/cases/{case['caseId']}", reader).body["documents"]]
        link = medical.api.call("GET", f"/cases/{case['caseId']}/documents/{notice}", reader)
        assert link.status == 200 and link.body["url"]


def test_given_an_application_not_yet_approved_or_its_code_expired_then_no_code_is_drawn(medical, monkeypatch):
    case = determined_injury_case(medical)
    sun = case["parties"][SUN]["token"]
    applied = apply(medical, case)
    assert _code(medical, case, applied.body["applicationId"], sun).status == 404  # waiting for the officer
    assert _code(medical, case, "MA-NOSUCH", sun).status == 404

    waiting_for(medical, case, applied.body["applicationId"], "APPROVAL")
    application = medical.api.call("POST", f"/medical/{applied.body['applicationId']}/approve", staff_token("officer")).body
    assert _code(medical, case, application["applicationId"], sun).status == 200
    from chalicelib.store import cases as store

    later = datetime.fromisoformat(application["qrExpiresAt"]) + timedelta(seconds=1)
    monkeypatch.setattr(store, "utcnow", lambda: later.astimezone(UTC))
    expired = _code(medical, case, application["applicationId"], sun)
    assert expired.status == 404 and b"applicationId" in expired.body
