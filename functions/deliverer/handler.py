"""The outbox deliverer Lambda. Two triggers, one function:

- the table's stream, filtered to newly written outbox messages (`infra/cdk/delivery.py`): each
  message's first attempt, seconds after its commit; a record that cannot be handled (the table
  refused the read or the lease) is reported in `batchItemFailures` and retried by the stream;
- EventBridge every minute: what is due again (retries after backoff) and anything the stream missed.

Every run publishes `DeliveriesFailed` and `DeadMessages` (alarmed in `infra/cdk/monitoring.py`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from chalicelib.observability import DEAD_MESSAGES_METRIC, DELIVERIES_FAILED_METRIC, function_handler, logger, metrics
from chalicelib.services.delivery import FAILED_ATTEMPTS, GIVEN_UP, deliver_due, deliver_new
from chalicelib.store import outbox


@metrics.log_metrics
@function_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" in event:
        outcomes: dict[str, int] = {}
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

        def first_attempt(record: DynamoDBRecord) -> None:
            outbox_id = outbox.id_of_key(str((record.dynamodb.keys if record.dynamodb else {}).get("pk", "")))
            outcome = deliver_new(outbox_id) if outbox_id else None
            if outcome is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

        reply = process_partial_response(event=event, record_handler=first_attempt, processor=processor, context=context)
        _publish("stream delivery", outcomes)
        return dict(reply)
    # Each run takes at most `limit` messages; what is left is picked up on the next minute.
    outcomes = deliver_due(
        limit=int(event.get("limit", 200)), seconds_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    _publish("delivery run", outcomes)
    return outcomes


def _publish(run: str, outcomes: dict[str, int]) -> None:
    failed = sum(n for outcome, n in outcomes.items() if outcome in FAILED_ATTEMPTS)
    dead = sum(n for outcome, n in outcomes.items() if outcome in GIVEN_UP)
    metrics.add_metric(name=DELIVERIES_FAILED_METRIC, unit=MetricUnit.Count, value=failed)
    metrics.add_metric(name=DEAD_MESSAGES_METRIC, unit=MetricUnit.Count, value=dead)
    logger.info(run, extra={"outcomes": outcomes})
