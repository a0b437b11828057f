"""Logger, metrics and tracer shared by every function (Powertools), configured by environment.

Kept in the layer so that lower layers never import a handler module to log.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()
tracer = Tracer()


def trace_handler(*, capture_error: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Powertools' handler tracing without the response as trace metadata.

    By default the tracer copies every handler's return value into X-Ray, where anyone who
    may read traces sees it: provisioning bundles (a device's private key), presigned links
    and bulletin text. No handler's response is recorded. ``capture_error`` is chosen per
    function: False where an exception can carry request data (validation errors echo the
    input), True only where errors hold nothing but identifiers. The error is logged either
    way (Powertools logs the exception before re-raising).
    """
    return tracer.capture_lambda_handler(capture_response=False, capture_error=capture_error)


StreamRecordHandler = Callable[[DynamoDBRecord], None]
StreamHandler = Callable[
    [dict[str, Any], LambdaContext], dict[str, Any] | PartialItemFailureResponse
]


def stream_handler(record_handler: StreamRecordHandler) -> StreamHandler:
    """A DynamoDB-stream Lambda handler that hands each record to ``record_handler``.

    Records go through Powertools' ``BatchProcessor`` (the function declares
    ``ReportBatchItemFailures``): a record that raises is reported in ``batchItemFailures``, so
    the stream retries from it instead of holding the shard on the whole batch, and a batch
    where every record failed is answered rather than raised (same retry, no stack trace).
    Handlers that do more than one record at a time (the fan-out) write their own.
    """
    processor = BatchProcessor(
        event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
    )

    @logger.inject_lambda_context
    @trace_handler(capture_error=False)
    def lambda_handler(
        event: dict[str, Any], context: LambdaContext
    ) -> dict[str, Any] | PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler
