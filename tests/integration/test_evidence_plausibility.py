"""Implausible shots are kept and flagged for the officer (ADR 0015): declared late or far from the
scene, or a camera (EXIF) that disagrees with what the phone declared."""

from datetime import datetime, timedelta

from tests.factories import CST, case_body, evidence_request, exif_jpeg, photo, staff_token, upload_object

SCENE = (33.38, 120.15)


def _case(api, hours_ago: float = 3):
    occurred = (datetime.now(CST) - timedelta(hours=hours_ago)).replace(microsecond=0)
    created = api.create_case(case_body(occurredAt=occurred.isoformat())).body
    return created["caseId"], created["parties"][0]["token"], occurred


def _submit(api, case_id, token, content, **declared):
    body = evidence_request(content, "SCENE_PANORAMA", **declared)
    requested = api.call("POST", f"/cases/{case_id}/evidence", token, body)
    assert requested.status == 201, requested.body
    evidence_id = requested.body["evidenceId"]
    upload_object(f"uploads/{case_id}/{evidence_id}", content)
    done = api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)
    assert done.status == 200, done.body
    return evidence_id, done.body


def _flags(api, case_id, evidence_id):
    items = api.call("GET", f"/cases/{case_id}", staff_token("officer")).body["evidence"]["items"]
    return {flag["code"]: flag["text"] for flag in next(i for i in items if i["evidenceId"] == evidence_id)["flags"]}


def _audited_flags(api, case_id, evidence_id, action="EVIDENCE_VERIFIED"):
    entries = api.call("GET", f"/cases/{case_id}/audit", staff_token("officer")).body["entries"]
    entry = next(e for e in entries if e["action"] == action and e["detail"]["evidenceId"] == evidence_id)
    return [flag["code"] for flag in entry["detail"]["flags"]]


def test_given_shot_declared_two_and_a_half_hours_after_the_accident_then_kept_and_flagged_late(api):
    case_id, token, occurred = _case(api)
    evidence_id, done = _submit(api, case_id, token, photo(1), capturedAt=(occurred + timedelta(hours=2.5)).isoformat())
    assert done["status"] == "VERIFIED"
    flags = _flags(api, case_id, evidence_id)
    assert list(flags) == ["CAPTURED_LATE"]
    assert "2小时30分钟" in flags["CAPTURED_LATE"]
    assert _audited_flags(api, case_id, evidence_id) == ["CAPTURED_LATE"]


def test_given_shot_declared_just_before_the_reported_time_then_not_flagged(api):
    case_id, token, occurred = _case(api)
    evidence_id, _ = _submit(api, case_id, token, photo(1), capturedAt=(occurred - timedelta(minutes=8)).isoformat())
    assert _flags(api, case_id, evidence_id) == {}


def test_given_shot_declared_long_before_the_accident_then_400_naming_captured_at(api):
    case_id, token, occurred = _case(api)
    body = evidence_request(photo(1), "SCENE_PANORAMA", capturedAt=(occurred - timedelta(minutes=11)).isoformat())
    reply = api.call("POST", f"/cases/{case_id}/evidence", token, body)
    assert reply.status == 400 and reply.body["error"]["field"] == "capturedAt"


def test_given_shot_declared_two_kilometres_from_the_scene_then_flagged_far(api):
    case_id, token, _ = _case(api, hours_ago=0.2)
    evidence_id, _ = _submit(api, case_id, token, photo(1), lat=SCENE[0] + 0.018)
    flags = _flags(api, case_id, evidence_id)
    assert list(flags) == ["FAR_FROM_SCENE"]
    assert "2.0公里" in flags["FAR_FROM_SCENE"] or "2公里" in flags["FAR_FROM_SCENE"]


def test_given_camera_agrees_with_the_phone_then_no_flags(api):
    case_id, token, _ = _case(api, hours_ago=0.2)
    now = datetime.now(CST).replace(microsecond=0)
    content = exif_jpeg(now.replace(tzinfo=None), 33.3801, 120.1502)
    evidence_id, _ = _submit(api, case_id, token, content, capturedAt=now.isoformat())
    assert _flags(api, case_id, evidence_id) == {}


def test_given_camera_time_an_hour_off_then_flagged_time_mismatch(api):
    case_id, token, _ = _case(api, hours_ago=0.2)
    now = datetime.now(CST).replace(microsecond=0)
    content = exif_jpeg((now - timedelta(hours=1)).replace(tzinfo=None))
    evidence_id, _ = _submit(api, case_id, token, content, capturedAt=now.isoformat())
    flags = _flags(api, case_id, evidence_id)
    assert list(flags) == ["CAMERA_TIME_MISMATCH"]
    assert "1小时" in flags["CAMERA_TIME_MISMATCH"]
    assert _audited_flags(api, case_id, evidence_id) == ["CAMERA_TIME_MISMATCH"]


def test_given_camera_time_with_its_own_offset_then_compared_in_that_offset(api):
    case_id, token, _ = _case(api, hours_ago=0.2)
    now = datetime.now(CST).replace(microsecond=0)
    utc_wall_clock = (now - timedelta(hours=8)).replace(tzinfo=None)
    evidence_id, _ = _submit(api, case_id, token, exif_jpeg(utc_wall_clock, offset="+00:00"), capturedAt=now.isoformat())
    assert _flags(api, case_id, evidence_id) == {}


def test_given_camera_position_three_kilometres_away_then_flagged_position_mismatch(api):
    case_id, token, _ = _case(api, hours_ago=0.2)
    content = exif_jpeg(lat=33.3801 + 0.027, lng=120.1502)
    evidence_id, _ = _submit(api, case_id, token, content)
    flags = _flags(api, case_id, evidence_id)
    assert list(flags) == ["CAMERA_POSITION_MISMATCH"]
    assert _audited_flags(api, case_id, evidence_id) == ["CAMERA_POSITION_MISMATCH"]


def test_given_exif_jpeg_when_completed_then_read_in_the_one_download_of_the_checksum(api):
    from chalicelib.integrations.aws import client

    case_id, token, _ = _case(api, hours_ago=0.2)
    downloads = []
    client("s3").meta.events.register("before-call.s3.GetObject", lambda **kwargs: downloads.append(1))
    evidence_id, _ = _submit(api, case_id, token, exif_jpeg(lat=33.3801 + 0.027, lng=120.1502))
    assert list(_flags(api, case_id, evidence_id)) == ["CAMERA_POSITION_MISMATCH"]
    assert len(downloads) == 1
