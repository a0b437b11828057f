"""GET /units/{code} through the gateway, with real tokens from the moto Cognito pool."""

import pytest

from infra.localcloud.seed import add_user

pytestmark = pytest.mark.integration


def test_province_admin_reads_the_province_with_its_eleven_districts(api):
    response = api.get("/units/52", as_user="tinh-admin")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("code", "name", "type", "level", "parent")} == {
        "code": "52",
        "name": "Tỉnh Bình Định",
        "type": "Tỉnh",
        "level": "province",
        "parent": None,
    }
    assert len(body["children"]) == 11
    assert body["children"][0] == {
        "code": "540",
        "name": "Thành phố Quy Nhơn",
        "type": "Thành phố",
        "level": "district",
    }


def test_district_lists_its_communes_in_code_order(api):
    body = api.get("/units/540", as_user="huyen-viewer").json()

    codes = [child["code"] for child in body["children"]]
    assert len(codes) == 17
    assert codes == sorted(codes)
    assert {child["level"] for child in body["children"]} == {"commune"}


def test_commune_has_its_district_as_parent_and_no_children(api):
    body = api.get("/units/21550", as_user="xa-operator").json()

    assert body["parent"] == "540"
    assert body["children"] == []


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("huyen-approver", "52"),  # above the district
        ("huyen-approver", "547"),  # a sibling district
        ("huyen-approver", "21808"),  # a commune of another district
        ("xa-editor", "540"),  # the commune's own district
        ("xa-tayson-operator", "21550"),  # a commune of another district
    ],
)
def test_out_of_scope_unit_is_403(api, user, code):
    response = api.get(f"/units/{code}", as_user=user)

    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"


def test_unknown_unit_is_404(api):
    response = api.get("/units/99999", as_user="tinh-viewer")

    assert response.status_code == 404
    assert response.json() == {
        "code": "unit_not_found",
        "message": "Không có đơn vị hành chính mã 99999.",
    }


def test_malformed_code_is_422(api):
    response = api.get("/units/Bình-Định", as_user="tinh-viewer")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_unknown_route_is_a_json_404(api):
    response = api.get("/khong-co-trang-nay", as_user="tinh-viewer")

    assert response.status_code == 404
    assert response.json()["code"] == "route_not_found"


def test_english_messages_on_request(api):
    response = api.get("/units/99999", as_user="tinh-viewer", **{"Accept-Language": "en"})

    assert response.json()["message"] == "There is no administrative unit with code 99999."
    assert response.headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer abc.def.ghi", "Basic dGluaC1hZG1pbjp4"],
)
def test_request_without_a_valid_token_is_401_in_the_error_shape(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = api.get("/units/52", **headers)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "message" in response.json()


def test_unknown_route_without_a_token_is_401_because_the_proxy_route_is_signed(api):
    assert api.get("/khong-co-trang-nay").status_code == 401


def test_token_from_another_user_pool_is_401(api, cognito, sign_in):
    pool = cognito.create_user_pool(PoolName="intruders")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="x", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    add_user(cognito, pool, "mallory", unit="52", password="Mallory-12345", groups=[])

    token = sign_in("mallory", "Mallory-12345", client)

    assert api.get("/units/52", token=token).status_code == 401


def test_access_token_is_not_accepted_where_an_id_token_is_expected(api, cognito, endpoints, cloud):
    result = cognito.initiate_auth(
        ClientId=endpoints["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "tinh-admin", "PASSWORD": cloud.config.demo_password},
    )

    response = api.get("/units/52", token=result["AuthenticationResult"]["AccessToken"])

    assert response.status_code == 401


def test_wrong_password_does_not_sign_in(cognito, endpoints):
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            ClientId=endpoints["user_pool_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "tinh-admin", "PASSWORD": "Wrong-password-1"},
        )


def test_openapi_document_is_public_and_describes_the_routes(api):
    response = api.get("/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"].startswith("Nguồn")
    assert "/units/{code}" in document["paths"]
    for path in ("/bulletins", "/bulletins/{bulletin_id}/approve", "/units/{code}/programme"):
        assert path in document["paths"], path
    assert "/alerts/cap" in document["paths"]
    assert "/openapi.json" not in document["paths"]
    assert document["components"]["securitySchemes"]["cognito"]["scheme"] == "bearer"
    forbidden = document["paths"]["/units/{code}"]["get"]["responses"]["403"]
    assert forbidden["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_swagger_ui_is_served_at_docs_with_its_assets(api):
    page = api.get("/docs")
    script = api.get("/docs/static/swagger-ui-bundle.js")

    assert page.status_code == 200
    assert "/openapi.json" in page.text
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.text
    # Powertools writes OpenAPI 3.1; Swagger UI before 5 shows "Unable to render" for it.
    assert api.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert "isOAS31" in script.text
    assert api.get("/docs/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd").status_code == 404
