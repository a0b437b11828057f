"""The public portal (cổng thông tin): units' pages, search and feeds, for citizens, no sign-in.

``app`` is the Chalice app, itself a Lambda handler for API Gateway's REST proxy events; the
deployed handler, ``app.lambda_handler``, is that app under the Powertools logger, tracer
(no response in the trace, as everywhere: ``nguon.observability.trace_handler``) and metrics.
Chalice finds the route by the event's ``requestContext.resourcePath``, so every route here
has an ``Api`` event with the same path on ``PortalFunction`` in ``template.yaml``
(``tests/unit/test_portal.py`` checks both lists match). Pages and feeds live in
``chalicelib/`` as Blueprints; this file only assembles them.
"""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice import Chalice
from chalicelib.feedback_routes import feedback_routes
from chalicelib.pages import pages
from chalicelib.subscription_routes import subscription_routes

from nguon.config import get_settings
from nguon.observability import logger, metrics, trace_handler

# A missing or malformed variable fails the cold start, not the first request's error path.
get_settings()


def create_app() -> Chalice:
    """The portal's Blueprints in one app. A Blueprint answers through the app it was last
    registered in (its ``current_request``), so tests that load the portal more than once
    build a fresh app for each use."""
    portal = Chalice(app_name="nguon-portal")
    for blueprint in (pages, feedback_routes, subscription_routes):
        portal.register_blueprint(blueprint)
    return portal


app = create_app()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@trace_handler(capture_error=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    return app(event, context)
