"""Given an order whose run never started or has ended, the sweeper ends it and frees its truck;
the tap that could not start its run can simply be repeated."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import case_body, staff_token

PICKUP = {"lat": 33.3801, "lng": 120.1502, "address": "盐城市亭湖区解放南路与人民中路交叉口"}


def _unreachable_workflow_service(monkeypatch) -> None:
    """Step Functions cannot be reached: every call the client makes fails to connect."""
    from botocore.exceptions import EndpointConnectionError

    from chalicelib.integrations.aws import client

    sfn = client("stepfunctions")

    def refuse(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://states.example")

    monkeypatch.setattr(sfn, "start_execution", refuse)


def test_given_the_workflow_service_down_when_tapped_then_503_and_a_second_tap_starts_the_same_order(flow, monkeypatch):
    case = flow.api.create_case(case_body()).body
    tap = {"pickup": PICKUP}
    with monkeypatch.context() as outage:
        _unreachable_workflow_service(outage)
        refused = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], tap)
    assert refused.status == 503 and refused.body["error"]["code"] == "Unavailable"
    assert flow.executions() == []

    again = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], tap)
    assert again.status == 200, again.body  # the order the first tap wrote, now under way
    assert [e["name"] for e in flow.executions()] == [f"rescue-{case['caseId']}-1"]
    view = flow.api.call("GET", f"/cases/{case['caseId']}", case["parties"][0]["token"]).body
    assert [r["orderId"] for r in view["rescues"]] == [again.body["orderId"]]


def test_given_an_order_without_a_run_when_swept_then_it_fails_but_a_young_one_is_left_alone(flow, monkeypatch):
    from chalicelib.services.rescue.steps import release_orphans
    from functions.rescue_sweeper.handler import handler
    from infra.local.lambdas import LambdaContext

    case = flow.api.create_case(case_body()).body
    with monkeypatch.context() as outage:
        _unreachable_workflow_service(outage)
        assert flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).status == 503

    assert release_orphans("RunEnded", older_than=timedelta(minutes=5)) == 0  # may still be starting
    assert handler({"graceMinutes": 0}, LambdaContext(function_name="yunchetong-test-rescue-sweeper")) == {"ended": 1}
    order = flow.api.call("GET", f"/cases/{case['caseId']}", staff_token("dispatcher")).body["rescues"][0]
    assert order["status"] == "FAILED"
    assert release_orphans("RunEnded") == 0  # nothing left open


def test_given_a_running_order_when_swept_then_it_is_left_alone(flow):
    from chalicelib.services.rescue.steps import release_orphans
    from tests.factories import wait_for

    case = flow.api.create_case(case_body()).body
    order = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP}).body
    path = f"/cases/{case['caseId']}/rescue/{order['orderId']}"
    wait_for(lambda: flow.api.call("GET", path, staff_token("dispatcher")).body["offers"], what="an offer")
    assert release_orphans("RunEnded") == 0
    assert flow.api.call("GET", path, staff_token("dispatcher")).body["status"] == "OFFERED"


def test_given_no_state_machine_configured_when_swept_then_it_refuses_rather_than_ending_every_order(flow, monkeypatch):
    import pytest

    from chalicelib.errors import Unavailable
    from chalicelib.services.rescue.steps import release_orphans
    from chalicelib.settings import reset_settings

    case = flow.api.create_case(case_body()).body
    flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP})
    with monkeypatch.context() as unconfigured:
        unconfigured.delenv("RESCUE_STATE_MACHINE_ARN")
        reset_settings()
        with pytest.raises(Unavailable):
            release_orphans("RunEnded")
    reset_settings()
    assert flow.api.call("GET", f"/cases/{case['caseId']}", staff_token("dispatcher")).body["rescues"][0]["status"] != "FAILED"
