"""The staff REST API (console, departments): one function, routes split by resource.

Handler: ``app.lambda_handler``. Cognito checks the token before the event arrives; the
claims are in ``requestContext.authorizer.claims`` (see ``staff_api.identity``).
"""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from staff_api.application import app

from nguon.config import get_settings
from nguon.observability import logger, metrics, trace_handler

# A missing or malformed variable fails the cold start, not the first request's error path.
get_settings()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler(capture_error=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
