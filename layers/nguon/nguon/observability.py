"""Logger, metrics and tracer shared by every function (Powertools), configured by environment.

Kept in the layer so that lower layers never import a handler module to log.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

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
