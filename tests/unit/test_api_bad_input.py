"""Bodies the staff API cannot read: 400 or 415 in the one error shape, never a 500.

Every operation of the OpenAPI document that takes a body is tried, so a new one is too.
The body is parsed before any service runs, so no store is needed here.
"""

import base64
import copy
import json
import re

import pytest

from tests.api_events import EVENT, call
from tests.unit.test_api_handler import Context

# A valid value for each path parameter of the document.
PATH_VALUES = {
    "bulletin_id": "b-1",
    "code": "52",
    "thing": "spk-21550-01",
    "id": "m-1",
    "username": "xa-editor",
    "feedback_id": "PA-0000000001",
    "report_id": "r-1",
    "directive_id": "d-1",
    "course_id": "c-1",
    "number": "1",
}


def _operations_with_a_body() -> list[tuple[str, str]]:
    from staff_api.application import openapi_document

    return sorted(
        (method.upper(), re.sub(r"{(\w+)}", lambda m: PATH_VALUES[m.group(1)], path))
        for path, item in openapi_document()["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    )


OPERATIONS = _operations_with_a_body()


@pytest.fixture
def handler():
    import app

    return app.lambda_handler


def send(handler, method, path, *, body, base64_encoded=False, language="vi", **headers):
    """``call`` with a raw body, as API Gateway hands over bytes it could not read as text."""
    encoded = base64.b64encode(body).decode() if base64_encoded else body
    return _send(handler, method, path, encoded, base64_encoded, language, headers)


def send_raw_base64(handler, text):
    return _send(handler, "POST", "/speech/normalize", text, True, "vi", {})


def _send(handler, method, path, body, base64_encoded, language, headers):
    event = copy.deepcopy(EVENT)
    event.update(httpMethod=method, path=path, resource="/{proxy+}", pathParameters=None)
    event["body"] = body
    event["isBase64Encoded"] = base64_encoded
    event["requestContext"]["authorizer"]["claims"].update(
        {"cognito:username": "tinh-admin", "cognito:groups": "admin", "custom:unit": "52"}
    )
    headers = {"Accept-Language": language, **headers}
    event["headers"].update(headers)
    event["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    response = handler(event, Context())
    return response["statusCode"], json.loads(response["body"]), response["multiValueHeaders"]


def test_every_operation_with_a_body_is_listed():
    assert len(OPERATIONS) >= 13
    assert ("PATCH", "/bulletins/b-1") in OPERATIONS
    assert ("PUT", "/units/52/programme/settings") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_body_that_is_not_utf8_is_400(handler, method, path):
    status, body, _ = send(
        handler, method, path, body=b'{"title": "\xff\xfe"}', base64_encoded=True
    )

    assert status == 400
    assert body["code"] == "bad_request"
    assert body["message"] == "Yêu cầu không đọc được: UTF-8 JSON"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"],
)
def test_a_content_type_that_is_not_json_is_415(handler, method, path, content_type):
    status, body, headers = send(
        handler, method, path, body="version=1", language="en", **{"Content-Type": content_type}
    )

    assert status == 415
    assert body == {
        "code": "unsupported_media_type",
        "message": f"Content of type {content_type} is not accepted; send application/json.",
    }
    assert headers["Content-Language"] == ["en"]


def test_json_with_a_charset_is_still_json(handler):
    status, body, _ = send(
        handler,
        "POST",
        "/speech/normalize",
        body='{"text": "Ngày 1/12"}',
        **{"Content-Type": "application/json; charset=utf-8"},
    )

    assert status == 200
    assert body["text"].startswith("Ngày")


def test_utf8_json_sent_base64_encoded_is_read(handler):
    status, body, _ = send(
        handler,
        "POST",
        "/speech/normalize",
        body='{"text": "Xin chào"}'.encode(),
        base64_encoded=True,
    )

    assert status == 200
    assert body["text"] == "Xin chào"


def test_a_body_flagged_base64_that_is_not_is_400(handler):
    event_body = "%%%not base64"  # API Gateway never sends this; a misbehaving proxy might

    status, body, _ = send_raw_base64(handler, event_body)

    assert (status, body["code"]) == (400, "bad_request")


def test_a_unicode_error_inside_a_route_stays_a_500(handler, monkeypatch):
    from nguon.speech import normalize

    def broken(_text):
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "a bug of ours, not the client's body")

    monkeypatch.setattr(normalize, "normalize", broken)  # the route's own work fails

    status, body, _ = send(handler, "POST", "/speech/normalize", body='{"text": "a"}')

    assert (status, body["code"]) == (500, "internal_error")


def test_calls_with_a_json_body_still_validate_fields(handler):
    status, body = call(
        handler, "POST", "/speech/normalize", user="u", groups="editor", unit="52", body={"t": 1}
    )

    assert status == 422
    assert body["code"] == "validation_error"
