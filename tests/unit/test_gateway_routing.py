"""Route choice as API Gateway (REST) makes it: literal, then {param}, then {proxy+}."""

import pytest

from infra.localcloud.gateway import match_route
from infra.localcloud.template import ApiRoute

ROUTES = [
    ApiRoute("Api", "StaffApi", "/openapi.json", "GET", None),
    ApiRoute("Api", "StaffApi", "/units/{code}", "GET", "Cognito"),
    ApiRoute("Api", "StaffApi", "/units/{code}/programme", "PUT", "Cognito"),
    ApiRoute("Api", "StaffApi", "/units/special", "GET", "Cognito"),
    ApiRoute("Other", "StaffApi", "/{proxy+}", "ANY", "Cognito"),
]


@pytest.mark.parametrize(
    ("method", "path", "resource", "params"),
    [
        ("GET", "/openapi.json", "/openapi.json", {}),
        ("GET", "/units/52", "/units/{code}", {"code": "52"}),
        ("GET", "/units/52/", "/units/{code}", {"code": "52"}),
        ("GET", "/units/special", "/units/special", {}),
        ("PUT", "/units/52/programme", "/units/{code}/programme", {"code": "52"}),
        ("GET", "/units/52/programme", "/{proxy+}", {"proxy": "units/52/programme"}),
        ("POST", "/units/52", "/{proxy+}", {"proxy": "units/52"}),
        ("GET", "/a/b/c", "/{proxy+}", {"proxy": "a/b/c"}),
    ],
)
def test_most_specific_route_wins(method, path, resource, params):
    match = match_route(ROUTES, method, path)

    assert match is not None
    assert match.route.path == resource
    assert match.path_parameters == params


def test_greedy_proxy_does_not_match_the_root():
    assert match_route(ROUTES, "GET", "/") is None


def test_method_must_match_unless_any():
    assert match_route(ROUTES[:2], "DELETE", "/units/52") is None
