"""Completing a shot is crash-safe and happens once: claim on the case, copy once (locked in the same
request), record; the staging object is left to the bucket's lifecycle (ADR 0006, ADR 0040 "S3 requests")."""

import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from chalicelib import config
from chalicelib.integrations import evidence_store
from chalicelib.integrations.aws import client
from chalicelib.settings import get_settings
from chalicelib.store import cases
from tests.factories import case_body


class Crash(Exception):
    """What a Lambda killed mid-request looks like to the next request: the work stopped there."""


def _shot(api):
    created = api.create_case(case_body()).body
    case_id, token = created["caseId"], created["parties"][0]["token"]
    evidence_id = api.shoot(case_id, token, api.checklist(case_id, token)[0], 3)
    return case_id, token, evidence_id


def _complete(api, case_id, token, evidence_id):
    return api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token)


def _sealed_versions(case_id, evidence_id):
    listed = client("s3").list_object_versions(Bucket=get_settings().evidence_bucket, Prefix=f"evidence/{case_id}/{evidence_id}")
    return [v["VersionId"] for v in listed.get("Versions", [])]


def _staging_left(case_id, evidence_id):
    listed = client("s3").list_objects_v2(Bucket=get_settings().evidence_bucket, Prefix=f"uploads/{case_id}/{evidence_id}")
    return listed.get("KeyCount", 0)


@contextmanager
def _s3_calls():
    """Each S3 operation the app's client makes, with its parameters, counted at botocore."""
    made = []

    def record(params, model, **_):
        made.append((model.name, dict(params)))

    events = client("s3").meta.events
    events.register("before-parameter-build.s3", record)
    try:
        yield made
    finally:
        events.unregister("before-parameter-build.s3", record)


def _crash_once(monkeypatch, module, name, after: bool):
    """Replace `module.name` so its first call crashes (before or after doing its work)."""
    original = getattr(module, name)
    calls = []

    def crashing(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:
            return original(*args, **kwargs)
        if after:
            original(*args, **kwargs)
        raise Crash(name)

    monkeypatch.setattr(module, name, crashing)
    return calls


def test_given_six_parallel_completions_of_one_shot_then_one_sealed_version_named_by_the_case(api):
    case_id, token, evidence_id = _shot(api)

    replies = []
    start = threading.Barrier(6)

    def complete():  # `api` gives each thread its own request, as the local server does
        start.wait(timeout=30)
        replies.append(api.call("POST", f"/cases/{case_id}/evidence/{evidence_id}/complete", token).status)

    threads = [threading.Thread(target=complete) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(replies) == 6 and set(replies) <= {200, 409} and 200 in replies
    versions = _sealed_versions(case_id, evidence_id)
    assert len(versions) == 1
    item = cases.load(case_id).evidence_item(evidence_id)
    assert item.status == "VERIFIED" and item.object_version == versions[0]
    again = _complete(api, case_id, token, evidence_id)
    assert again.status == 200 and again.body["status"] == "VERIFIED"
    assert _sealed_versions(case_id, evidence_id) == versions
    assert _staging_left(case_id, evidence_id) == 1  # left to the lifecycle rule on uploads/
    timeline = [t["action"] for t in api.call("GET", f"/cases/{case_id}", token).body["timeline"]]
    assert timeline.count("EVIDENCE_VERIFIED") == 1


def test_given_crash_after_copy_before_case_write_when_completed_again_then_verified_without_second_copy(api, monkeypatch):
    case_id, token, evidence_id = _shot(api)
    _crash_once(monkeypatch, evidence_store, "seal", after=True)
    assert _complete(api, case_id, token, evidence_id).status == 500  # the request died there
    assert cases.load(case_id).evidence_item(evidence_id).status == "SEALING"
    assert len(_sealed_versions(case_id, evidence_id)) == 1

    again = _complete(api, case_id, token, evidence_id)
    assert again.status == 200 and again.body["status"] == "VERIFIED"
    versions = _sealed_versions(case_id, evidence_id)
    assert len(versions) == 1
    assert cases.load(case_id).evidence_item(evidence_id).object_version == versions[0]
    head = client("s3").head_object(Bucket=get_settings().evidence_bucket, Key=f"evidence/{case_id}/{evidence_id}")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert _staging_left(case_id, evidence_id) == 1  # left to the lifecycle rule on uploads/


def test_given_a_verified_shot_when_completed_again_then_verified_without_any_s3_request(api):
    case_id, token, evidence_id = _shot(api)
    assert _complete(api, case_id, token, evidence_id).body["status"] == "VERIFIED"

    with _s3_calls() as made:
        again = _complete(api, case_id, token, evidence_id)
    assert again.status == 200 and again.body["status"] == "VERIFIED"
    assert made == []
    assert len(_sealed_versions(case_id, evidence_id)) == 1


def test_given_an_upload_when_completed_then_one_read_and_one_copy_locked_in_the_same_request(api):
    case_id, token, evidence_id = _shot(api)

    with _s3_calls() as made:
        assert _complete(api, case_id, token, evidence_id).body["status"] == "VERIFIED"

    assert [name for name, _ in made] == ["GetObject", "CopyObject"]  # no HeadObject, PutObjectRetention, DeleteObject
    copy = made[1][1]
    days = get_settings().evidence_retention_days
    assert copy["ObjectLockMode"] == "COMPLIANCE"
    assert abs(copy["ObjectLockRetainUntilDate"] - (datetime.now(UTC) + timedelta(days=days))) < timedelta(minutes=1)
    item = cases.load(case_id).evidence_item(evidence_id)
    head = client("s3").head_object(Bucket=get_settings().evidence_bucket, Key=item.object_key, VersionId=item.object_version)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert abs(head["ObjectLockRetainUntilDate"] - (datetime.now(UTC) + timedelta(days=days))) < timedelta(minutes=1)


def test_given_a_put_to_the_upload_key_after_verification_when_completed_again_then_the_sealed_shot_is_unchanged(api):
    from tests.factories import photo, upload_object

    case_id, token, evidence_id = _shot(api)
    assert _complete(api, case_id, token, evidence_id).body["status"] == "VERIFIED"
    sealed = cases.load(case_id).evidence_item(evidence_id).object_version

    upload_object(f"uploads/{case_id}/{evidence_id}", photo(99))  # a stale URL used again within its ten minutes
    again = _complete(api, case_id, token, evidence_id)

    assert again.status == 200 and again.body["status"] == "VERIFIED"
    assert _sealed_versions(case_id, evidence_id) == [sealed]
    assert cases.load(case_id).evidence_item(evidence_id).object_version == sealed


def test_the_evidence_bucket_expires_staging_uploads_by_lifecycle(api):
    rules = client("s3").get_bucket_lifecycle_configuration(Bucket=get_settings().evidence_bucket)["Rules"]

    staging = [rule for rule in rules if rule.get("Filter", {}).get("Prefix", rule.get("Prefix")) == "uploads/"]
    assert any(rule.get("Expiration", {}).get("Days") == evidence_store.STAGING_DAYS for rule in staging), rules
    assert any(rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays") == 1 for rule in staging), rules


def test_given_crash_after_claim_before_copy_when_retried_then_waits_for_the_claim_then_takes_it_over(api, monkeypatch):
    case_id, token, evidence_id = _shot(api)
    _crash_once(monkeypatch, evidence_store, "seal", after=False)
    assert _complete(api, case_id, token, evidence_id).status == 500  # the request died there
    assert _sealed_versions(case_id, evidence_id) == []

    busy = _complete(api, case_id, token, evidence_id)  # the claim may still be at work elsewhere
    assert busy.status == 409 and busy.body["error"]["field"] == "evidenceId"
    assert cases.load(case_id).evidence_item(evidence_id).status == "SEALING"

    monkeypatch.setitem(config.load("evidence"), "sealClaimSeconds", 0)  # the claim has lapsed
    taken = _complete(api, case_id, token, evidence_id)
    assert taken.status == 200 and taken.body["status"] == "VERIFIED"
    assert len(_sealed_versions(case_id, evidence_id)) == 1
    assert _staging_left(case_id, evidence_id) == 1  # left to the lifecycle rule on uploads/


def test_given_upload_replaced_after_verification_when_sealed_then_the_verified_version_is_sealed(api, monkeypatch):
    from tests.factories import photo, upload_object

    case_id, token, evidence_id = _shot(api)
    original_inspect = evidence_store.inspect

    def inspect_then_swap(*args, **kwargs):
        stored = original_inspect(*args, **kwargs)
        upload_object(f"uploads/{case_id}/{evidence_id}", photo(99))  # the phone PUTs other bytes meanwhile
        return stored

    monkeypatch.setattr(evidence_store, "inspect", inspect_then_swap)
    assert _complete(api, case_id, token, evidence_id).body["status"] == "VERIFIED"
    item = cases.load(case_id).evidence_item(evidence_id)
    sealed = client("s3").get_object(Bucket=get_settings().evidence_bucket, Key=item.object_key, VersionId=item.object_version)
    import hashlib

    assert hashlib.sha256(sealed["Body"].read()).hexdigest() == item.sha256


def test_given_an_unlocked_copy_left_by_the_earlier_two_step_seal_when_completed_again_then_it_is_locked_and_recorded(
    api, monkeypatch
):
    case_id, token, evidence_id = _shot(api)
    _crash_once(monkeypatch, evidence_store, "seal", after=False)
    assert _complete(api, case_id, token, evidence_id).status == 500  # claimed, then the request died
    bucket = get_settings().evidence_bucket
    upload = cases.load(case_id).evidence_item(evidence_id).upload_version
    client("s3").copy_object(  # what a seal that copied and then crashed before its separate lock left behind
        Bucket=bucket, Key=f"evidence/{case_id}/{evidence_id}",
        CopySource={"Bucket": bucket, "Key": f"uploads/{case_id}/{evidence_id}", "VersionId": upload},
    )

    again = _complete(api, case_id, token, evidence_id)
    assert again.status == 200 and again.body["status"] == "VERIFIED"
    versions = _sealed_versions(case_id, evidence_id)
    assert len(versions) == 1
    head = client("s3").head_object(Bucket=bucket, Key=f"evidence/{case_id}/{evidence_id}")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["VersionId"] == versions[0]
