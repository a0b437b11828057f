"""The local gateway answers CORS preflights as SAM's OPTIONS mock does on API Gateway, from
the template's own Cors, and its own refusals carry the gateway responses' headers."""

import pytest
from werkzeug.test import Client

from infra.localcloud.authorizer import AuthorizationError
from infra.localcloud.gateway import ApiGateway, preflight_headers
from infra.localcloud.template import TEMPLATE_PATH, ApiRoute, Template

CONSOLE = "http://127.0.0.1:3002"
EVIL = "https://evil.example"


class Host:
    def __init__(self):
        self.events = []

    def invoke(self, function, event):
        self.events.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


class RefusingAuthorizer:
    def authorize(self, header):
        raise AuthorizationError("no token")


@pytest.fixture(scope="module")
def staff_api() -> dict:
    """The staff Api's properties as the local cloud reads them, for this console origin."""
    template = Template.load(TEMPLATE_PATH, region="ap-southeast-1")
    template.parameters["ConsoleOrigin"] = CONSOLE
    properties = template.raw_properties("StaffApi")
    return {name: template.resolve(properties[name]) for name in ("Cors", "GatewayResponses")}


@pytest.fixture
def host():
    return Host()


@pytest.fixture
def client(staff_api, host) -> Client:
    gateway = ApiGateway(
        api_id="api",
        stage="dev",
        routes=[
            ApiRoute("Api", "StaffApi", "/units/{code}", "GET", "CognitoAuthorizer"),
            ApiRoute("Api", "StaffApi", "/bulletins", "POST", "CognitoAuthorizer"),
        ],
        authorizers={"CognitoAuthorizer": RefusingAuthorizer()},
        gateway_responses=staff_api["GatewayResponses"],
        host=host,
        cors=staff_api["Cors"],
    )
    return Client(gateway)


def _preflight(client, path, origin, method="GET"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,if-match",
        },
    )


def test_the_console_s_preflight_is_answered_without_a_token_or_the_function(client, host):
    response = _preflight(client, "/units/540", CONSOLE)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == CONSOLE
    allowed = set(response.headers["Access-Control-Allow-Headers"].split(","))
    assert {"Authorization", "If-Match", "Content-Type", "Accept-Language"} == allowed
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert host.events == []  # a mock integration: no function runs


def test_another_origin_is_not_allowed(client):
    # API Gateway's mock answers with the configured origin whatever the request's: the
    # browser then refuses any other page. Never `*`, never the asking origin.
    response = _preflight(client, "/bulletins", EVIL, method="POST")
    assert response.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert response.headers["Access-Control-Allow-Origin"] not in (EVIL, "*")
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_path_without_routes_has_no_preflight(client):
    response = _preflight(client, "/nowhere", CONSOLE)
    assert response.status_code == 404
    assert response.json["code"] == "route_not_found"


def test_gateway_refusals_are_readable_by_the_console(client):
    refused = client.get("/units/540", headers={"Origin": CONSOLE})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == CONSOLE
    missing = client.get("/nowhere", headers={"Origin": CONSOLE})
    assert missing.headers["Access-Control-Allow-Origin"] == CONSOLE


def test_without_cors_options_is_an_ordinary_request(host):
    gateway = ApiGateway(
        api_id="api",
        stage="dev",
        routes=[ApiRoute("Api", "StaffApi", "/units/{code}", "GET", None)],
        authorizers={},
        gateway_responses={},
        host=host,
    )
    response = _preflight(Client(gateway), "/units/540", CONSOLE)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.status_code == 403  # API Gateway's missing route


def test_the_emulation_refuses_what_it_would_have_to_guess():
    with pytest.raises(ValueError, match="AllowMethods"):
        preflight_headers({"AllowOrigin": "'https://a.example'"})
    with pytest.raises(ValueError, match="static"):
        preflight_headers({"AllowOrigin": "https://a.example", "AllowMethods": "'GET'"})
    assert preflight_headers(None) is None
