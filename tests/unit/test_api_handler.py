"""The API function end to end in-process, from a sample event in events/ (no AWS)."""

import copy
import json
from pathlib import Path

import pytest

from nguon import errors
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.fakes import InMemoryUnitStore

EVENT = json.loads((Path(__file__).parents[2] / "events" / "api-get-unit.json").read_text())


class Context:
    function_name = "nguon-dev-ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = (
        "arn:aws:lambda:ap-southeast-1:123456789012:function:nguon-dev-ApiFunction"
    )
    aws_request_id = "req-1"


@pytest.fixture
def handler(monkeypatch):
    import app
    from staff_api import application, dependencies

    service = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    monkeypatch.setitem(
        application.app.dependency_overrides, dependencies.unit_service, lambda: service
    )
    return app.lambda_handler


def call(handler, path="/units/540", **changes):
    event = copy.deepcopy(EVENT)
    event["path"] = path
    event["pathParameters"] = {"code": path.rsplit("/", 1)[-1]}
    for key, value in changes.items():
        event[key] = value
    response = handler(event, Context())
    return response["statusCode"], json.loads(response["body"]), response


def test_district_editor_reads_the_district_with_its_communes(handler):
    status, body, _ = call(handler)

    assert status == 200
    assert body["code"] == "540"
    assert body["name"] == "Thành phố Quy Nhơn"
    assert body["level"] == "district"
    assert body["parent"] == "52"
    assert len(body["children"]) == 17
    assert set(body["children"][0]) == {"code", "name", "type", "level"}


def test_out_of_scope_unit_is_403_with_a_vietnamese_message(handler):
    status, body, response = call(handler, "/units/547")

    assert status == 403
    assert body == {
        "code": "out_of_scope",
        "message": "Đơn vị 547 nằm ngoài phạm vi quản lý của bạn (540).",
    }
    # Powertools answers a REST event that has multiValueHeaders in kind.
    assert response["multiValueHeaders"]["Content-Language"] == ["vi"]


def test_english_on_request(handler):
    event_headers = {**EVENT["headers"], "Accept-Language": "en"}
    status, body, _ = call(handler, "/units/547", headers=event_headers)

    assert status == 403
    assert body["message"] == "Unit 547 is outside your area (540)."


def test_event_without_authorizer_claims_is_401(handler):
    context = {k: v for k, v in EVENT["requestContext"].items() if k != "authorizer"}
    status, body, _ = call(handler, requestContext=context)

    assert status == 401
    assert body["code"] == "unauthorized"


def test_the_caller_is_a_dependency_a_test_can_replace(handler, monkeypatch):
    from staff_api import application, dependencies

    from nguon.models.principal import Role
    from tests.factories import person

    commune = person("xa-editor", "21550", Role.EDITOR)
    monkeypatch.setitem(
        application.app.dependency_overrides, dependencies.principal, lambda: commune
    )
    context = {k: v for k, v in EVENT["requestContext"].items() if k != "authorizer"}

    status, body, _ = call(handler, "/units/540", requestContext=context)

    assert status == 403  # the replaced caller (a commune's), not the event's missing claims
    assert body["code"] == "out_of_scope"


def test_the_openapi_document_has_no_parameter_for_the_caller_services_or_clock(handler):
    from staff_api.application import app

    document = json.loads(app.get_openapi_json_schema())
    names = {
        parameter["name"]
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
    }
    assert not names & {"caller", "request", "moment", "bulletins", "units", "devices", "service"}
    assert "code" in names  # the real ones are there


def test_unknown_route_is_a_json_404(handler):
    status, body, _ = call(handler, "/khong-co", resource="/{proxy+}")

    assert status == 404
    assert body["code"] == "route_not_found"


def test_unexpected_failure_is_500_without_any_internals(handler, monkeypatch):
    from staff_api import application, dependencies

    def broken():
        raise RuntimeError("connection pool exhausted at /var/task/secret.py line 3")

    monkeypatch.setitem(application.app.dependency_overrides, dependencies.unit_service, broken)

    status, body, response = call(handler)

    assert status == 500
    assert body["code"] == "internal_error"
    assert EVENT["requestContext"]["requestId"] in body["message"]
    text = response["body"]
    for leak in ("Traceback", "RuntimeError", "secret.py", "/var/task", "connection pool"):
        assert leak not in text


def test_malformed_unit_code_is_422_with_the_field(handler):
    status, body, _ = call(handler, "/units/52x")

    assert status == 422
    assert body["code"] == "validation_error"
    assert body["details"] == [
        {
            "loc": ["path", "code"],
            "type": "string_pattern_mismatch",
            "ctx": {"pattern": r"^\d{2,5}$"},
        }
    ]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.BadRequest(reason="JSON"), 400),
        (errors.Unauthenticated(), 401),
        (errors.Forbidden(), 403),
        (errors.NotFound(), 404),
        (errors.Conflict(), 409),
        (errors.InvalidInput(), 422),
    ],
)
def test_each_kind_of_domain_error_has_its_status_and_the_error_shape(
    handler, monkeypatch, error, status
):
    from staff_api import application, dependencies

    def failing():
        raise error

    monkeypatch.setitem(application.app.dependency_overrides, dependencies.unit_service, failing)

    got, body, _ = call(handler)

    assert got == status
    assert body["code"] == error.code
    assert body["message"]
