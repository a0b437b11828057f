"""The speech function: Amazon Polly's API over the project's engines, and its queue worker.

Handlers:

- ``app.lambda_handler``: API Gateway (REST proxy) events for ``/tts/v1/{proxy+}``, behind the
  Cognito authorizer; Polly's operations (see ``speech_api.application``).
- ``app.task_handler``: SQS events of the speech tasks queue (Powertools batch processing,
  partial batch failures: only the failed records come back).
"""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext
from speech_api.application import app
from speech_api.worker import handle_record

from nguon.config import get_settings
from nguon.observability import logger, metrics, trace_handler

# A missing or malformed variable fails the cold start, not the first request's error path.
get_settings()

# With one record a batch, a failed record is the whole batch: answer it in
# batchItemFailures like any other rather than raising (same retry, no stack trace).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler(capture_error=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


@logger.inject_lambda_context(clear_state=True)
@trace_handler(capture_error=False)
@metrics.log_metrics
def task_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
