"""Given an order whose run never started or has ended, the sweeper ends it and frees its truck;
the tap that could not start its run can simply be repeated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from chalicelib import config
from chalicelib.domain import dispatch
from chalicelib.domain.rescue_order import Pickup
from chalicelib.integrations.aws import client
from chalicelib.store import cases as store
from chalicelib.store import rescue as order_store
from chalicelib.store.models import RescueOrderItem
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



def _orphan(flow, monkeypatch) -> str:
    """An order whose run never started (the workflow service was down at the tap): its case id."""
    case = flow.api.create_case(case_body()).body
    with monkeypatch.context() as outage:
        _unreachable_workflow_service(outage)
        tapped = flow.api.call("POST", f"/cases/{case['caseId']}/rescue", case["parties"][0]["token"], {"pickup": PICKUP})
    assert tapped.status == 503
    return case["caseId"]


def _healthy_orders(units: list[str], per_unit: int) -> list[RescueOrderItem]:
    """Open orders whose runs are in the middle of a wait (an offer out for ten more minutes)."""
    now = store.utcnow()
    orders = []
    for unit in units:
        for n in range(per_unit):
            order, _ = order_store.new_order(f"YC{unit}{n:04d}", f"R{unit}{n:04d}", unit, dispatch.OFFERED, store.iso(now),
                                             Pickup(lat=33.38, lng=120.15, address="测试"), seq=1, requested_by="test",
                                             party_id="P1", execution_name=f"rescue-YC{unit}{n:04d}-1")
            order_store.expect_by(order, store.iso(now + timedelta(minutes=10)))
            orders.append(order)
    with RescueOrderItem.batch_write() as batch:
        for order in orders:
            batch.save(order)
    return orders


@contextmanager
def calls_made() -> Iterator[list[str]]:
    """Every DynamoDB and Step Functions call made in the block ("dynamodb.Query", "sfn.DescribeExecution"),
    seen through botocore's `before-call` event on the clients the sweeper uses."""
    made: list[str] = []

    def seen(event_name: str, **_: object) -> None:
        made.append(event_name.removeprefix("before-call."))

    watched = (RescueOrderItem._get_connection().connection.client, client("stepfunctions"))
    for watched_client in watched:
        watched_client.meta.events.register("before-call", seen, unique_id="sweep-cost")
    try:
        yield made
    finally:
        for watched_client in watched:
            watched_client.meta.events.unregister("before-call", unique_id="sweep-cost")


def test_given_more_units_and_healthy_orders_when_swept_then_the_same_calls_and_only_the_orphan_described(flow, monkeypatch):
    from chalicelib.services.rescue.steps import release_orphans

    units = config.load("jurisdictions")["units"]
    calls_by_size = {}
    for size, (unit_count, per_unit) in enumerate(((2, 2), (60, 5))):
        orphan_case = _orphan(flow, monkeypatch)
        codes = [f"39{size}{n:03d}" for n in range(unit_count)]
        healthy = _healthy_orders(codes, per_unit)
        with monkeypatch.context() as many_units:  # every unit is configured, as a national deployment would be
            many_units.setitem(config.load("jurisdictions"), "units", units + [{**units[0], "code": code} for code in codes])
            with calls_made() as made:
                assert release_orphans("RunEnded") == 1
        calls_by_size[(unit_count, len(healthy))] = sorted(made)
        assert made.count("dynamodb.Query") >= order_store.DUE_SHARDS  # the due index, a fixed number of shards
        assert made.count("sfn.DescribeExecution") == 1  # the orphan's run; none for the orders whose wait is not over
        assert flow.api.call("GET", f"/cases/{orphan_case}", staff_token("dispatcher")).body["rescues"][0]["status"] == "FAILED"
        assert {RescueOrderItem.get(order.pk, order.sk).status for order in healthy} == {dispatch.OFFERED}
    small, large = calls_by_size.values()
    assert small == large, calls_by_size
