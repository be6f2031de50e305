"""The reference data migration (`functions/reference_data`), run by CloudFormation as a custom
resource: a fresh table becomes healthy, a second run writes nothing, a changed entry is the only
write, trucks keep their live state, and a stack deletion leaves the data alone."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from chalice.test import Client
from pynamodb.connection.base import Connection

from chalicelib import config
from functions.reference_data import handler as migration

CONTEXT = SimpleNamespace(function_name="reference-data", memory_limit_in_mb=256,
                          invoked_function_arn="arn:aws:lambda:ap-east-1:0:function:r", aws_request_id="r-1",
                          get_remaining_time_in_millis=lambda: 60_000)
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def event(request_type: str, **extra: str) -> dict:
    return {"RequestType": request_type, "ResourceProperties": {"Seed": "seed_yancheng", "ContentHash": "h1"}, **extra}


@pytest.fixture
def empty_table() -> Iterator[None]:
    """moto with the table and buckets but no reference data: a fresh deploy."""
    from moto import mock_aws

    from chalicelib.integrations.aws import reset_clients
    from chalicelib.settings import reset_settings
    from chalicelib.store import models
    from infra.local import resources

    reset_settings()
    reset_clients()
    models.reset_connections()
    with mock_aws():
        resources.ensure_all()
        yield
    reset_clients()


@pytest.fixture
def writes(monkeypatch) -> list[str]:
    """The table operations that write, as PynamoDB sends them."""
    sent: list[str] = []
    original = Connection._make_api_call

    def recording(self, operation_name, operation_kwargs, *args, **kwargs):
        if operation_name in WRITES:
            sent.append(operation_name)
        return original(self, operation_name, operation_kwargs, *args, **kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return sent


def health() -> int:
    from app import app

    with Client(app) as client:
        return client.http.get("/health").status_code


def test_given_a_fresh_table_when_the_stack_is_created_then_the_data_is_loaded_and_the_api_healthy(empty_table):
    assert health() == 503
    reply = migration.handler(event("Create"), CONTEXT)
    assert reply["PhysicalResourceId"] == "reference-data-seed_yancheng"
    assert int(reply["Data"]["Written"]) > 40 and reply["Data"]["Unchanged"] == "0"
    assert health() == 200


def test_given_the_data_in_place_when_run_again_then_nothing_is_written(empty_table, writes):
    migration.handler(event("Create"), CONTEXT)
    writes.clear()
    reply = migration.handler(event("Update", PhysicalResourceId="reference-data-seed_yancheng"), CONTEXT)
    assert writes == []
    assert reply["Data"]["Written"] == "0" and int(reply["Data"]["Unchanged"]) > 40


def test_given_one_changed_insurer_when_run_again_then_only_that_item_is_written(empty_table, writes, monkeypatch):
    from chalicelib.store import reference

    migration.handler(event("Create"), CONTEXT)
    data = copy.deepcopy(config.load("seed_yancheng"))
    data["insurers"][0]["name"] = "改名后的保险公司"
    monkeypatch.setattr(config, "load", lambda name: data if name == "seed_yancheng" else config.load.__wrapped__(name))
    writes.clear()
    reply = migration.handler(event("Update", PhysicalResourceId="reference-data-seed_yancheng"), CONTEXT)
    assert reply["Data"]["Written"] == "1"
    assert writes == ["BatchWriteItem"]
    assert reference.get("INSURER", data["insurers"][0]["code"]).name == "改名后的保险公司"


def test_given_a_truck_on_a_job_when_run_again_then_its_live_state_is_kept(empty_table):
    from chalicelib.store import fleet
    from chalicelib.store.models import TowTruckItem

    migration.handler(event("Create"), CONTEXT)
    truck_id = config.load("seed_yancheng")["towTrucks"][0]["truckId"]
    truck = TowTruckItem.get(*fleet.truck_key(truck_id))
    truck.status, truck.lat = "EN_ROUTE", 33.0
    fleet.index(truck)
    truck.save()
    migration.handler(event("Update", PhysicalResourceId="reference-data-seed_yancheng"), CONTEXT)
    kept = TowTruckItem.get(*fleet.truck_key(truck_id))
    assert (kept.status, kept.lat) == ("EN_ROUTE", 33.0)


def test_given_the_stack_deleted_when_called_then_the_data_is_left_alone(empty_table, writes):
    migration.handler(event("Create"), CONTEXT)
    writes.clear()
    reply = migration.handler(event("Delete", PhysicalResourceId="reference-data-seed_yancheng"), CONTEXT)
    assert writes == [] and reply["PhysicalResourceId"] == "reference-data-seed_yancheng"
    assert health() == 200
