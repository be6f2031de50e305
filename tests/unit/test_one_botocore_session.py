"""One botocore session for the process, one DynamoDB client for every item model (ADR 0039): each
new session loads the endpoint rules and service models again (about 80 ms of a cold start), and
each client opens its own connection pool."""

from __future__ import annotations

from chalicelib.integrations import aws
from chalicelib.store.models import CaseItem, OutboxItem, reset_connections


def test_given_two_item_models_when_both_connect_then_they_share_one_client_but_keep_their_own_schema():
    reset_connections()
    cases, outbox = CaseItem._get_connection(), OutboxItem._get_connection()

    assert cases is not outbox  # each model's own schema (its indexes)
    assert cases.connection.client is outbox.connection.client
    assert cases.connection.client.meta.service_model.service_name == "dynamodb"
    reset_connections()
    assert CaseItem._get_connection().connection.client is not cases.connection.client  # a switched endpoint is followed


def test_given_the_shared_session_when_boto3_clients_are_made_then_they_load_from_it():
    aws.reset_clients()
    reset_connections()
    s3, dynamodb = aws.client("s3"), CaseItem._get_connection().connection.client

    loader = aws.botocore_session().get_component("data_loader")
    assert s3._loader is loader and dynamodb._loader is loader
    aws.reset_clients()
    reset_connections()


def test_given_a_reset_when_clients_are_made_again_then_a_new_session_reuses_the_parsed_data_files():
    aws.reset_clients()
    before = aws.botocore_session()
    aws.client("s3")
    aws.reset_clients()
    after = aws.botocore_session()

    assert after is not before  # new credentials and clients
    assert after.get_component("data_loader") is before.get_component("data_loader")
    aws.reset_clients()


def test_given_threads_making_clients_at_once_when_the_session_is_new_then_all_get_working_clients_from_one_session():
    from concurrent.futures import ThreadPoolExecutor

    aws.reset_clients()
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda service: (aws.botocore_session(), aws.client(service)), ["s3", "sqs"] * 8))

    assert len({id(session) for session, _ in made}) == 1
    assert {c.meta.service_model.service_name for _, c in made} == {"s3", "sqs"}
    aws.reset_clients()
