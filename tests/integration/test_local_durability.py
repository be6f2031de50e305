"""The local stack keeps what it acknowledged: every case answered 201 and every S3 object version
(locked ones included) is there after `kill -9` or a clean restart; parallel clients are not reset."""

from __future__ import annotations

import http.client
import signal
import threading
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.factories import case_body
from tests.local_stack import RunningStack

CASES = 12
CLIENTS = 70
CONNECT_SECONDS = 0.8  # below the kernel's first SYN retransmission (1 s): a dropped attempt shows as a timeout
BUCKET = "yunchetong-local-evidence"  # the local stack's evidence bucket: versioned, Object Lock on


@pytest.fixture
def stack(tmp_path):
    running = RunningStack(tmp_path / "state").start()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            running.stop()


def _restarted(stack: RunningStack) -> RunningStack:
    stack.start()  # same folder, same ports
    return stack


def _s3(stack: RunningStack):
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{stack.aws_port}", region_name="ap-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def test_given_cases_answered_201_when_the_stack_is_killed_then_every_case_is_there_after_restart(stack):
    dispatcher = stack.token("dispatcher")
    created = []
    for _ in range(CASES):
        reply = stack.call("POST", "/cases", dispatcher, case_body())
        assert reply.status_code == 201, reply.text
        created.append(reply.json()["caseId"])
    stack.kill()  # right after the last 201: no snapshot had time to run

    _restarted(stack)
    officer = stack.token("officer")
    missing = [case_id for case_id in created if stack.call("GET", f"/cases/{case_id}", officer).status_code != 200]
    assert missing == []


def test_given_two_versions_of_one_key_when_restarted_or_killed_then_every_version_is_readable_by_id(stack):
    s3 = _s3(stack)
    locked_until = datetime.now(UTC) + timedelta(days=1)
    first = s3.put_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", Body=b"first version",
                          ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=locked_until)["VersionId"]
    second = s3.put_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", Body=b"second version")["VersionId"]
    stack.stop()  # a clean restart: the snapshot path

    s3 = _s3(_restarted(stack))
    assert s3.get_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", VersionId=first)["Body"].read() == b"first version"
    assert s3.get_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", VersionId=second)["Body"].read() == b"second version"
    third = s3.put_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", Body=b"third version")["VersionId"]
    stack.kill()  # the journal path

    s3 = _s3(_restarted(stack))
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix="cases/K1/")["Versions"]
    assert {v["VersionId"] for v in versions} == {first, second, third}
    for version_id, body in ((first, b"first version"), (second, b"second version"), (third, b"third version")):
        assert s3.get_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", VersionId=version_id)["Body"].read() == body
    assert s3.head_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", VersionId=first)["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError):  # still locked
        s3.delete_object(Bucket=BUCKET, Key="cases/K1/letter.pdf", VersionId=first)


def test_given_70_clients_connecting_while_the_server_is_busy_then_every_one_is_queued_and_answered(stack):
    """The listen backlog holds them: while the process cannot accept (stopped here, busy in life),
    the kernel queues up to the backlog and drops the other connection attempts (a backlog of 5
    reset or timed out 16 of 70 clients)."""
    connections = [http.client.HTTPConnection("127.0.0.1", stack.port, timeout=CONNECT_SECONDS) for _ in range(CLIENTS)]
    outcomes: dict[int, object] = {}

    def connect(index: int) -> None:
        try:
            connections[index].connect()
            outcomes[index] = "connected"
        except OSError as error:
            outcomes[index] = type(error).__name__

    stack.process.send_signal(signal.SIGSTOP)
    try:
        threads = [threading.Thread(target=connect, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        stack.process.send_signal(signal.SIGCONT)
    assert sorted(outcomes.values(), key=str) == ["connected"] * CLIENTS
    for connection in connections:
        connection.sock.settimeout(60)
        connection.request("GET", "/health")
        assert connection.getresponse().status == 200
        connection.close()
