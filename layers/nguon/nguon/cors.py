"""CORS for the APIs the web console calls from the browser (staff and speech).

API Gateway answers the preflight itself (the template's ``Cors``, an OPTIONS mock); the
functions' own answers carry ``Access-Control-Allow-Origin`` for the console's origin only,
through the Powertools resolver's ``CORSConfig``. Any other origin gets no CORS header, so
its pages cannot read an answer.
"""

from aws_lambda_powertools.event_handler import CORSConfig

from nguon.config import Settings

# Sent by the console beyond Powertools' own list (Authorization, Content-Type, ...): the
# language of messages and the version a stale edit is checked against.
REQUEST_HEADERS = ["Accept-Language", "If-Match"]
# Answer headers the console's code reads, which browsers hide unless exposed.
EXPOSED_HEADERS = ["ETag", "Location"]
PREFLIGHT_MAX_AGE_S = 600


def console_cors(settings: Settings) -> CORSConfig | None:
    """The resolvers' CORS settings; None (no CORS headers) where no console origin is set."""
    if not settings.console_origin:
        return None
    return CORSConfig(
        allow_origin=settings.console_origin,
        allow_headers=REQUEST_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        max_age=PREFLIGHT_MAX_AGE_S,
    )
