"""The outbox to the national source information system: delivery and re-drive.

Handler: ``app.lambda_handler``, invoked two ways (template.yaml):

- by the table's stream, filtered to outbox items that are new or put back by a person
  (``status`` pending, ``attempts`` 0): each is sent at once. Records go through Powertools'
  ``BatchProcessor`` (``ReportBatchItemFailures``); a record whose item cannot be read or
  saved fails alone and comes back;
- by a schedule every minute: the open items that are due (failed ones after their backoff;
  any the stream missed, as after a crash between the write and the send; claims whose
  worker died).

Sending twice is prevented by the claim (a put conditional on the item's version,
``nguon.services.central``), and tolerated by the national system through the item's id as
the ``Idempotency-Key``. Items carry reports and bulletins: their text is never logged.
"""

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from nguon.clock import now
from nguon.config import get_settings
from nguon.observability import logger, trace_handler
from nguon.services.central import CentralDelivery

get_settings()


@lru_cache(maxsize=1)
def delivery() -> CentralDelivery:
    from nguon.adapters.central import HttpCentralSystem
    from nguon.storage.central import DynamoOutboxStore

    settings = get_settings()
    central = None
    if settings.central_url:
        central = HttpCentralSystem(
            settings.central_url,
            lambda: str(parameters.get_secret(settings.central_key_secret)),
            province=settings.province,
            timeout_s=settings.central_timeout_s,
        )
    return CentralDelivery(
        DynamoOutboxStore(),
        central,
        max_attempts=settings.central_max_attempts,
        backoff_s=settings.central_backoff_s,
        now=now,
    )


processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)


@logger.inject_lambda_context(clear_state=True)
@trace_handler(capture_error=False)
def lambda_handler(
    event: dict[str, Any], context: LambdaContext
) -> dict[str, Any] | PartialItemFailureResponse:
    if "Records" in event:
        return process_partial_response(
            event=event, record_handler=deliver_record, processor=processor, context=context
        )
    report = delivery().redrive()
    summary = {
        "sent": len(report.sent),
        "failed": len(report.failed),
        "dead": len(report.dead),
        "skipped": len(report.skipped),
    }
    logger.info("central: re-drive", extra=summary)
    return summary


def deliver_record(record: DynamoDBRecord) -> None:
    """One stream record (an outbox item); raises to have the stream deliver it again."""
    partition = record.raw_event["dynamodb"]["Keys"]["PK"]["S"]
    report = delivery().deliver(partition.removeprefix("OUTBOX#"))
    logger.info(
        "central: delivered from the stream",
        extra={"item": partition, "sent": bool(report.sent), "skipped": bool(report.skipped)},
    )
