"""Domain errors to HTTP, in one place. Bodies are ``{"code", "message"}``; never a trace."""

import binascii
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from pydantic import BaseModel

from nguon import errors
from nguon.config import Language, get_settings
from nguon.i18n import MESSAGES, negotiate, translate
from nguon.observability import logger, metrics
from nguon.validation import plain_context


class ErrorBody(BaseModel):
    """Every error answer: a stable machine code and a message for people."""

    code: str
    message: str
    details: list[dict[str, Any]] | None = None


_DESCRIPTIONS = {
    400: "Yêu cầu không đọc được / unreadable request",
    401: "Chưa đăng nhập / not signed in",
    403: "Không có quyền hoặc ngoài phạm vi / role or area does not allow it",
    404: "Không tìm thấy / not found",
    409: "Dữ liệu đã thay đổi / stale version",
    415: "Chỉ nhận application/json / only application/json is accepted",
    422: "Dữ liệu không hợp lệ / invalid input",
}


def error_responses(
    *statuses: int, body: bool = False, success: int = 200
) -> dict[int, OpenAPIResponse]:
    """OpenAPI ``responses`` for a route: its success and its error statuses, all errors in the
    one error shape.

    ``body``: the route reads a JSON body, so it may also answer 400 (not UTF-8 JSON) and 415.
    ``success``: the route's own status; Powertools documents it from the return annotation
    (an entry without ``content``), which the console's generated client types rely on.
    """
    extra = (400, 415) if body else ()
    errors: dict[int, OpenAPIResponse] = {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {"application/json": {"model": ErrorBody}},
        }
        for status in sorted({*statuses, *extra, 422})
    }
    return {success: {"description": "Thành công / success"}, **errors}


class JsonBodies(OpenAPIRequestValidationMiddleware):
    """The resolver's request validation, reading bodies as UTF-8 JSON only.

    Powertools would also parse forms and multipart, which no route declares (and a
    multipart type without a boundary fails with a bare ValueError), and lets a body that is
    not UTF-8 escape as UnicodeDecodeError: both were 500s. Here the body is refused before
    any parsing: another type is 415, bytes that are not UTF-8 (or bad base64) 400.
    """

    def _get_body(self, app: ApiGatewayResolver) -> dict[str, Any]:
        event = app.current_event
        content_type = (event.headers.get("content-type") or "").strip()
        if content_type and content_type.split(";")[0].strip().lower() != "application/json":
            raise RequestUnsupportedContentType(
                "Unsupported content type",
                errors=[{"type": "unsupported_content_type", "loc": ("body",), "ctx": {}}],
            )
        try:
            return self._parse_json_data(app)
        except (UnicodeDecodeError, binascii.Error):
            raise errors.BadRequest("bad_request", reason="UTF-8 JSON") from None


def _content_type(event: BaseProxyEvent) -> str:
    return (event.headers.get("content-type") or "?").strip()[:100]  # echoed: never all of it


def _explain(detail: dict[str, Any], language: Language) -> dict[str, Any]:
    """A field problem with a sentence for people when the project words it (limits, rules)."""
    if detail.get("type") in MESSAGES:
        return {**detail, "message": translate(detail["type"], language, **detail.get("ctx", {}))}
    return detail


STATUS_OF: dict[type[errors.NguonError], HTTPStatus] = {
    errors.BadRequest: HTTPStatus.BAD_REQUEST,
    errors.Unauthenticated: HTTPStatus.UNAUTHORIZED,
    errors.Forbidden: HTTPStatus.FORBIDDEN,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Conflict: HTTPStatus.CONFLICT,
    errors.InvalidInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.Unavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}


def request_language(event: BaseProxyEvent) -> Language:
    """The language of the reader: ``Accept-Language``, else the configured default."""
    return negotiate(event.headers.get("accept-language"), get_settings().default_language)


def register(app: APIGatewayRestResolver) -> None:
    # The resolver builds its validation middleware in __init__ and puts it first in every
    # route's stack (before any app.use middleware): replacing it is the one way in before
    # the body is parsed. tests/unit/test_api_bad_input.py fails if a release changes that.
    app._request_validation_middleware = JsonBodies()

    def reply(status: HTTPStatus, code: str, /, **extra: object) -> Response:
        # Positional-only: a message parameter may itself be called ``status`` (wrong_status).
        event = app.current_event
        language = request_language(event)
        params = {**extra, "request_id": event.request_context.request_id}
        body: dict[str, object] = {"code": code, "message": translate(code, language, **params)}
        details = extra.get("details")
        if isinstance(details, list):
            body["details"] = [_explain(detail, language) for detail in details]
        return Response(
            status_code=status,
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(body, ensure_ascii=False),
            headers={"Content-Language": language},
        )

    @app.exception_handler(errors.NguonError)
    def domain_error(error: errors.NguonError) -> Response:
        status = next(
            (s for kind, s in STATUS_OF.items() if isinstance(error, kind)),
            HTTPStatus.INTERNAL_SERVER_ERROR,
        )
        if status == HTTPStatus.FORBIDDEN:
            metrics.add_metric(name="AccessDenied", unit="Count", value=1)
        return reply(status, error.code, **error.params)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_content_type(_: RequestUnsupportedContentType) -> Response:
        return reply(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            content_type=_content_type(app.current_event),
        )

    @app.exception_handler(RequestValidationError)
    def validation_error(error: RequestValidationError) -> Response:
        problems = error.errors()
        if any(problem.get("type") == "json_invalid" for problem in problems):
            return reply(HTTPStatus.BAD_REQUEST, "bad_request", reason="JSON")
        # loc, type and plain parameters only: pydantic's own messages can name internals.
        details = [{"loc": list(p["loc"]), "type": p["type"], **plain_context(p)} for p in problems]
        return reply(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "validation_error",
            count=len(details),
            details=details,
        )

    @app.not_found
    def route_not_found(_: NotFoundError) -> Response:
        event = app.current_event
        return reply(
            HTTPStatus.NOT_FOUND, "route_not_found", method=event.http_method, path=event.path
        )

    @app.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        metrics.add_metric(name="UnhandledError", unit="Count", value=1)
        return reply(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error")
