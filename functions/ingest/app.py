"""Media ingest: the uploads bucket's notifications, through the ingest queue.

Handler: ``app.lambda_handler``. S3 (ObjectCreated, prefix ``uploads/``) → SQS → this
function, with ``ReportBatchItemFailures``: the answer lists the messages to deliver again
(``batchItemFailures``), and a message is left out of it only once its objects are final
(ready or rejected) or dead-lettered with their cause (:mod:`nguon.services.ingest_queue`).
Each record's body is an S3 event notification (or S3's ``s3:TestEvent``).
"""

from datetime import timedelta
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from nguon import assembly, clock
from nguon.config import get_settings
from nguon.observability import logger, metrics, trace_handler
from nguon.services.ingest_queue import IngestConsumer

# A missing or malformed variable fails the cold start, not the first message.
get_settings()

DEADLINE_MARGIN_S = 10
"""A claim ends this long before the invocation does (time to write the outcome)."""

# Every record fails on its own: a batch where all failed is answered, not raised.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@lru_cache(maxsize=1)
def consumer() -> IngestConsumer:
    from nguon.adapters.dead_letters import DeadLetterQueue

    # The same ingest service the speech worker uses for generated voices.
    return IngestConsumer(assembly.ingest_service(), DeadLetterQueue())


def record_handler(record: SQSRecord, lambda_context: LambdaContext | None = None) -> list[str]:
    """One message; raises to have SQS deliver it again (see the module docstring)."""
    deadline = None
    remaining_ms = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        left = max(0.0, remaining_ms() / 1000 - DEADLINE_MARGIN_S)
        deadline = clock.now() + timedelta(seconds=left)
    outcomes = consumer().handle(
        record.body,
        receive_count=int(record.attributes.approximate_receive_count or 1),
        deadline=deadline,
    )
    for outcome in outcomes:
        name = "Media" + outcome.value.title().replace("_", "")  # MediaReady, MediaDeadLettered
        metrics.add_metric(name=name, unit="Count", value=1)
    return [str(outcome) for outcome in outcomes]


@logger.inject_lambda_context(clear_state=True)
@trace_handler(capture_error=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
