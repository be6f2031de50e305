"""Evidence: presigned uploads, server-side verification, the move to the officer's queue."""

import threading

from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from tests.factories import case_body, evidence_request, photo, upload_object


def _case(api):
    created = api.create_case(case_body()).body
    return created["caseId"], created["parties"]


def test_given_upload_request_when_declared_then_presigned_put_with_signed_headers(api):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    slot = api.checklist(case_id, token)[0]
    reply = api.call("POST", f"/cases/{case_id}/evidence", token, evidence_request(photo(), slot["kind"], slot["partyId"]))
    assert reply.status == 201
    upload = reply.body["upload"]
    assert upload["method"] == "PUT"
    assert upload["headers"]["Content-Type"] == "image/jpeg"
    assert "x-amz-checksum-sha256" in upload["headers"]
    assert f"uploads/{case_id}/{reply.body['evidenceId']}" in upload["url"]
    assert "X-Amz-Signature=" in upload["url"]


def test_given_every_shot_verified_when_last_completes_then_awaiting_determination_in_queue_with_notices(api, officer):
    case_id, parties = _case(api)
    token = parties[1]["token"]
    slots = api.checklist(case_id, token)
    assert len(slots) == 7
    for seed, slot in enumerate(slots):
        evidence_id = api.shoot(case_id, token, slot, seed)
        done = api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
        assert done.status == 200, done.body
        assert done.body["status"] == "VERIFIED"
    assert done.body["complete"] and done.body["caseStatus"] == "AWAITING_DETERMINATION"

    queue = api.call("GET", "/portal/queue", officer).body
    assert [c["caseId"] for c in queue["cases"]] == [case_id]
    assert queue["cases"][0]["minutesWaited"] >= 0

    from chalicelib.store import outbox

    notices = [o for o in outbox.pending() if o.case_id == case_id and o.topic == "case.leave_scene"]
    assert sorted(n.recipient for n in notices) == sorted(p["partyId"] for p in parties)
    assert all(n.topic == "case.leave_scene" for n in notices)
    timeline = [t["action"] for t in api.call("GET", f"/cases/{case_id}", token).body["timeline"]]
    assert timeline[-1] == "EVIDENCE_COMPLETE"


def test_given_verified_evidence_when_stored_then_sealed_write_once(api):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    evidence_id = api.shoot(case_id, token, api.checklist(case_id, token)[0], 1)
    api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
    s3 = client("s3")
    sealed = s3.head_object(Bucket=get_settings().evidence_bucket, Key=f"evidence/{case_id}/{evidence_id}")
    assert sealed["ObjectLockMode"] == "COMPLIANCE"
    refused = None
    try:
        s3.delete_object(Bucket=get_settings().evidence_bucket, Key=f"evidence/{case_id}/{evidence_id}", VersionId=sealed["VersionId"])
    except s3.exceptions.ClientError as error:
        refused = error.response["Error"]["Code"]
    assert refused == "AccessDenied"
    listed = s3.list_objects_v2(Bucket=get_settings().evidence_bucket, Prefix=f"uploads/{case_id}/{evidence_id}")
    assert listed.get("KeyCount", 0) == 1  # the staging upload is left to the bucket's lifecycle (ADR 0040)
    again = api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
    assert again.status == 200 and again.body["status"] == "VERIFIED"


def _declare_upload_complete(api, case_id, token, declared, uploaded):
    """The first slot's shot declared as `declared` (image/jpeg), `uploaded` PUT, then completed."""
    slot = api.checklist(case_id, token)[0]
    requested = api.call("POST", f"/cases/{case_id}/evidence", token, evidence_request(declared, slot["kind"], slot["partyId"]))
    evidence_id = requested.body["evidenceId"]
    upload_object(f"uploads/{case_id}/{evidence_id}", uploaded)
    return evidence_id, api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)


def _assert_rejected_never_sealed(api, case_id, token, evidence_id):
    """The shot refused: its slot still missing, nothing sealed, no second completion; the case's view."""
    view = api.call("GET", f"/cases/{case_id}", token).body
    assert view["evidence"]["checklist"][0]["status"] == "MISSING"
    assert [e["status"] for e in view["evidence"]["items"]] == ["REJECTED"]
    s3 = client("s3")
    assert s3.list_objects_v2(Bucket=get_settings().evidence_bucket, Prefix=f"evidence/{case_id}/").get("KeyCount", 0) == 0
    assert api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token).status == 409
    return view


def test_given_tampered_upload_when_completed_then_422_and_not_kept(api):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    evidence_id, reply = _declare_upload_complete(api, case_id, token, photo(1), photo(2))  # same size, other bytes
    assert reply.status == 422
    assert reply.body["error"] == {
        "code": "EvidenceMismatch",
        "message": "the uploaded file's SHA-256 does not match the declared one",
        "field": "sha256",
    }
    _assert_rejected_never_sealed(api, case_id, token, evidence_id)


def test_given_nothing_uploaded_when_completed_then_409(api):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    slot = api.checklist(case_id, token)[0]
    requested = api.call("POST", f"/cases/{case_id}/evidence", token, evidence_request(photo(), slot["kind"], slot["partyId"]))
    reply = api.call("POST", f"/cases/{case_id}/evidence/{requested.body['evidenceId']}/complete", token)
    assert reply.status == 409


def test_given_bad_declarations_when_requesting_upload_then_400_naming_field(api):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    path = f"/cases/{case_id}/evidence"
    content = photo()
    assert api.call("POST", path, token, evidence_request(content, "FRONT_WITH_PLATE")).body["error"]["field"] == "partyId"
    assert api.call("POST", path, token, evidence_request(content, "SELFIE")).body["error"]["field"] == "kind"
    wrong_type = evidence_request(content, "SCENE_PANORAMA", contentType="application/zip")
    assert api.call("POST", path, token, wrong_type).body["error"]["field"] == "contentType"
    huge = evidence_request(content, "SCENE_PANORAMA", size=300 * 1024 * 1024)
    assert api.call("POST", path, token, huge).body["error"]["field"] == "size"
    early = evidence_request(content, "SCENE_PANORAMA", capturedAt="2020-01-01T00:00:00+08:00")
    assert api.call("POST", path, token, early).body["error"]["field"] == "capturedAt"
    assert api.call("POST", path, token, evidence_request(content, "SCENE_PANORAMA", sha256="xyz")).body["error"]["field"] == "sha256"


def test_given_referred_case_when_uploading_then_409(api, officer):
    body = case_body()
    body["screening"]["intentional"] = True
    created = api.create_case(body).body
    reply = api.call(
        "POST", f"/cases/{created['caseId']}/evidence", officer, evidence_request(photo(), "SCENE_PANORAMA")
    )
    assert reply.status == 409


def test_given_two_phones_completing_the_last_shots_at_once_then_no_update_lost(api):
    case_id, parties = _case(api)
    slots = api.checklist(case_id, parties[0]["token"])
    evidence_ids = [api.shoot(case_id, parties[i % 2]["token"], slot, i) for i, slot in enumerate(slots)]
    for evidence_id in evidence_ids[:-2]:
        api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", parties[0]["token"])

    replies = []

    def complete(evidence_id, token):  # `api` gives each thread its own request, as the local server does
        replies.append(api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token).status)

    threads = [
        threading.Thread(target=complete, args=(evidence_ids[-2], parties[0]["token"])),
        threading.Thread(target=complete, args=(evidence_ids[-1], parties[1]["token"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert replies == [200, 200]
    view = api.call("GET", f"/cases/{case_id}", parties[0]["token"]).body
    assert view["status"] == "AWAITING_DETERMINATION"
    assert all(slot["status"] == "VERIFIED" for slot in view["evidence"]["checklist"])
    actions = [t["action"] for t in view["timeline"]]
    assert actions.count("EVIDENCE_VERIFIED") == 7
    assert actions.count("EVIDENCE_COMPLETE") == 1


def test_given_text_named_jpg_when_completed_then_rejected_with_chinese_reason_and_never_sealed(api, officer):
    case_id, parties = _case(api)
    token = parties[0]["token"]
    text = "这不是照片，只是一个改了扩展名的文本文件。\n".encode() * 40  # right size and SHA-256, declared image/jpeg
    evidence_id, reply = _declare_upload_complete(api, case_id, token, text, text)
    assert reply.status == 422
    assert reply.body["error"] == {
        "code": "EvidenceMismatch",
        "message": "the uploaded bytes are not image/jpeg",
        "field": "contentType",
        "userMessage": "文件不是照片，请重新拍摄上传",
    }
    view = _assert_rejected_never_sealed(api, case_id, token, evidence_id)
    assert view["timeline"][-1]["action"] == "EVIDENCE_REJECTED"
    shot = api.call("GET", f"/cases/{case_id}/evidence/{evidence_id}", officer).body
    assert shot["status"] == "REJECTED" and shot["url"] is None


def test_given_a_real_jpeg_when_completed_then_verified(api):
    import io

    from PIL import Image

    case_id, parties = _case(api)
    token = parties[0]["token"]
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(out, format="JPEG")
    _, reply = _declare_upload_complete(api, case_id, token, out.getvalue(), out.getvalue())
    assert reply.status == 200 and reply.body["status"] == "VERIFIED"
