"""The figures that matter as CloudWatch metrics (Powertools EMF lines on stdout, namespace
`Yunchetong`, dimension `service`): a reported case, an issued letter, a workflow step that crashed.
The alarms (`infra/cdk/monitoring.py`) use them. A metric line carries a name and a count, never
the parties' names, phones, ID numbers or plates."""

from __future__ import annotations

import json
import sys
import types
from types import SimpleNamespace

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.observability import CASES_REPORTED, LETTERS_ISSUED, WORKFLOW_STEP_ERRORS
from functions.workflow_step import step_handler
from tests.factories import case_body

CONTEXT = SimpleNamespace(function_name="step", memory_limit_in_mb=256, invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:s",
                          aws_request_id="r-1", get_remaining_time_in_millis=lambda: 60_000)


@pytest.fixture
def emitted(monkeypatch, capsys):
    """The metrics printed since the test started, as (name, dimensions, namespace, whole line)."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the tests' default is off
    capsys.readouterr()

    def read() -> list[tuple[str, dict, str, str]]:
        found = []
        for line in capsys.readouterr().out.splitlines():
            if not line.startswith("{") or '"_aws"' not in line:
                continue
            blob = json.loads(line)
            (directive,) = blob["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]:
                found.append((metric["Name"], {d: blob[d] for d in directive["Dimensions"][0]}, directive["Namespace"], line))
        return found

    return read


def names(found) -> list[str]:
    return [name for name, *_ in found]


def test_given_a_report_when_the_case_is_created_then_one_cases_reported_without_personal_data(api, emitted):
    body = case_body()
    assert api.create_case(body).status == 201
    found = emitted()
    assert names(found) == [CASES_REPORTED]
    _, dimensions, namespace, line = found[0]
    assert (dimensions, namespace) == ({"service": "yunchetong"}, "Yunchetong")
    for party in body["parties"]:
        for secret in (party["name"], party["phone"], party["idNumber"], party.get("vehicle", {}).get("plate")):
            assert not secret or secret not in line


def test_given_a_replayed_report_when_sent_again_then_no_second_count(api, emitted):
    body = case_body()
    assert api.create_case(body, **{"Idempotency-Key": "k-1"}).status == 201
    assert api.create_case(body, **{"Idempotency-Key": "k-1"}).status in {200, 201}
    assert names(emitted()) == [CASES_REPORTED]


def test_given_a_determination_when_the_letter_is_issued_then_one_letters_issued(api, officer, emitted):
    created = api.case_awaiting_determination()
    emitted()
    first = created["parties"][0]["partyId"]
    payload = {"scenario": "REAR_END", "facts": "甲方车辆追撞前方乙方车辆尾部。", "atFaultPartyId": first}
    assert api.call("POST", f"/cases/{created['caseId']}/determination", officer, payload).status == 201
    assert names(emitted()) == [LETTERS_ISSUED]


@pytest.fixture
def steps(monkeypatch):
    module = types.ModuleType("tests_metric_steps")
    module.crash = lambda step: 1 / 0
    module.refuse = lambda step: (_ for _ in ()).throw(ValidationFailed("no", field="x"))
    module.fine = lambda step: {"ok": True}
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return module.__name__


def step(name: str, steps: str):
    return step_handler(name, contract="chalicelib.contracts.rescue:StepInput", steps=steps, subject="order_id", label="rescue")


def test_given_a_workflow_step_that_crashes_when_run_then_one_step_error_counted_and_the_error_raised(steps, emitted):
    with pytest.raises(ZeroDivisionError):
        step("crash", steps)({"orderId": "RS1", "caseId": "YC1"}, CONTEXT)
    found = emitted()
    assert [(name, dims) for name, dims, *_ in found] == [(WORKFLOW_STEP_ERRORS, {"service": "yunchetong", "workflow": "rescue"})]


def test_given_a_domain_outcome_or_success_when_run_then_no_step_error(steps, emitted):
    with pytest.raises(ValidationFailed):
        step("refuse", steps)({"orderId": "RS1", "caseId": "YC1"}, CONTEXT)
    assert step("fine", steps)({"orderId": "RS1", "caseId": "YC1"}, CONTEXT) == {"ok": True}
    assert emitted() == []
