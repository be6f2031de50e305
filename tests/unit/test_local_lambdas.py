"""infra/local/lambdas.py answers `lambda.Invoke` in-process. The client points at a port nothing
listens on: an answer at all proves the call never left the process."""

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from infra.local import lambdas
from infra.workflows import RESCUE

REGION, STAGE = "ap-east-1", "unittest"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, so a call that leaves the process fails
ANSWERS, FAILS = "rescue-find-candidates", "rescue-offer-next"


class TruckGone(Exception):
    """Stands in for a domain error a step raises."""


calls = []


def answering(event, context):
    calls.append((event, context))
    return {"candidates": len(event.get("trucks", [])), "echo": event, "function": context.function_name}


def failing(event, context):
    raise TruckGone(f"truck {event['truckId']} went off duty")


@pytest.fixture
def installed():
    calls.clear()
    lambdas.install(REGION, STAGE, overrides={ANSWERS: answering, FAILS: failing})
    yield
    lambdas.uninstall()


def _client(**config):
    # A new session, made after install: the hook is on botocore's built-in handlers, which a new session
    # copies (boto3's default session may be older than the hook when another test made it first).
    session = boto3.session.Session()
    return session.client("lambda", region_name=REGION, endpoint_url=NOWHERE, config=Config(**config) if config else None)


def _invoke(client, name, payload):
    return client.invoke(FunctionName=lambdas.function_arn(REGION, STAGE, name), Payload=json.dumps(payload))


def test_given_a_stage_when_names_are_made_then_they_follow_the_yunchetong_stage_name_pattern():
    assert lambdas.function_name(STAGE, ANSWERS) == "yunchetong-unittest-rescue-find-candidates"
    assert lambdas.function_arn(REGION, STAGE, ANSWERS) == (
        "arn:aws:lambda:ap-east-1:123456789012:function:yunchetong-unittest-rescue-find-candidates"
    )


def test_given_a_workflow_when_its_arns_are_made_then_every_placeholder_has_its_function_arn():
    arns = lambdas.arns(RESCUE, REGION, STAGE)
    assert set(arns) == {fn.placeholder for fn in RESCUE.functions}
    assert arns["OfferNextArn"] == lambdas.function_arn(REGION, STAGE, "rescue-offer-next")


def test_given_an_installed_handler_when_invoked_then_the_payload_is_its_return_value_as_json(installed):
    reply = _invoke(_client(), ANSWERS, {"orderId": "RO-1", "trucks": ["T-1", "T-2"]})
    assert reply["StatusCode"] == 200
    assert "FunctionError" not in reply
    assert json.loads(reply["Payload"].read()) == {
        "candidates": 2,
        "echo": {"orderId": "RO-1", "trucks": ["T-1", "T-2"]},
        "function": "yunchetong-unittest-rescue-find-candidates",
    }


def test_given_an_installed_handler_when_invoked_then_it_gets_the_event_and_a_lambda_like_context(installed):
    _invoke(_client(), ANSWERS, {"orderId": "RO-1"})
    [(event, context)] = calls
    assert event == {"orderId": "RO-1"}
    assert context.function_name == lambdas.function_name(STAGE, ANSWERS)
    assert context.aws_request_id
    assert context.get_remaining_time_in_millis() > 0


def test_given_an_installed_handler_when_invoked_by_plain_name_then_it_is_answered_too(installed):
    reply = _client().invoke(FunctionName=lambdas.function_name(STAGE, ANSWERS), Payload=json.dumps({}))
    assert json.loads(reply["Payload"].read())["candidates"] == 0


def test_given_a_handler_that_raises_when_invoked_then_a_function_error_names_the_exception_class(installed):
    reply = _invoke(_client(), FAILS, {"truckId": "T-9"})
    assert reply["StatusCode"] == 200
    assert reply["FunctionError"] == "Unhandled"
    assert json.loads(reply["Payload"].read()) == {"errorType": "TruckGone", "errorMessage": "truck T-9 went off duty"}


def test_given_a_handler_that_raises_a_domain_error_when_invoked_then_the_error_type_is_what_the_state_machine_catches():
    from chalicelib.errors import NoTruckAvailable

    def none_left(event, context):
        raise NoTruckAvailable("no standby tow truck is left near the pickup", field="truckId")

    lambdas.install(REGION, STAGE, overrides={FAILS: none_left})
    try:
        reply = _invoke(_client(), FAILS, {})
    finally:
        lambdas.uninstall()
    assert reply["FunctionError"] == "Unhandled"
    assert json.loads(reply["Payload"].read())["errorType"] == "NoTruckAvailable"


def test_given_no_override_when_a_workflow_function_is_invoked_then_its_registry_handler_runs(installed):
    # functions.rescue.handler.escalate validates its event first: an empty one is refused by pydantic.
    reply = _invoke(_client(), "rescue-escalate", {})
    assert reply["FunctionError"] == "Unhandled"
    error = json.loads(reply["Payload"].read())
    assert error["errorType"] == "ValidationError"
    assert "orderId" in error["errorMessage"]
    assert calls == []


def test_given_a_function_that_is_not_ours_when_invoked_then_the_call_goes_on_to_the_network(installed):
    client = _client(retries={"total_max_attempts": 1})
    with pytest.raises(EndpointConnectionError):
        client.invoke(FunctionName=lambdas.function_arn(REGION, STAGE, "somebody-elses"), Payload=json.dumps({}))


def test_given_another_stage_when_invoked_then_the_call_is_not_intercepted(installed):
    client = _client(retries={"total_max_attempts": 1})
    with pytest.raises(EndpointConnectionError):
        client.invoke(FunctionName=lambdas.function_arn(REGION, "prod", ANSWERS), Payload=json.dumps({}))


def test_given_uninstalled_when_invoked_then_the_call_is_no_longer_answered_in_process():
    lambdas.install(REGION, STAGE, overrides={ANSWERS: answering})
    lambdas.uninstall()
    with pytest.raises(EndpointConnectionError):
        _invoke(_client(retries={"total_max_attempts": 1}), ANSWERS, {})


def test_given_a_second_install_when_invoked_then_the_latest_overrides_answer(installed):
    lambdas.install(REGION, STAGE, overrides={ANSWERS: lambda event, context: {"second": True}})
    assert json.loads(_invoke(_client(), ANSWERS, {})["Payload"].read()) == {"second": True}
