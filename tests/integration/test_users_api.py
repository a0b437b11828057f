"""A user cannot choose their own unit; an admin moves users only within their own area."""

import secrets

import pytest

from infra.localcloud.seed import add_user

pytestmark = pytest.mark.integration


@pytest.fixture
def member(cognito, endpoints, cloud) -> str:
    """A fresh editor of Nhơn Bình (21550), so the demo accounts keep their units."""
    username = f"bien-tap-{secrets.token_hex(3)}"
    add_user(
        cognito,
        endpoints["user_pool_id"],
        username,
        unit="21550",
        password=cloud.config.demo_password,
        groups=["editor"],
    )
    return username


def _unit(cognito, endpoints, username: str) -> str:
    user = cognito.admin_get_user(UserPoolId=endpoints["user_pool_id"], Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}["custom:unit"]


def test_a_user_cannot_set_their_own_unit(cognito, endpoints, cloud, member):
    signed_in = cognito.initiate_auth(
        ClientId=endpoints["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": member, "PASSWORD": cloud.config.demo_password},
    )["AuthenticationResult"]

    with pytest.raises(cognito.exceptions.NotAuthorizedException) as refused:
        cognito.update_user_attributes(
            AccessToken=signed_in["AccessToken"],
            UserAttributes=[{"Name": "custom:unit", "Value": "52"}],
        )

    assert refused.value.response["Error"]["Message"] == (
        "A client attempted to write unauthorized attribute"
    )
    assert _unit(cognito, endpoints, member) == "21550"
    cognito.update_user_attributes(  # what the console may write still works
        AccessToken=signed_in["AccessToken"], UserAttributes=[{"Name": "name", "Value": "Lan"}]
    )


@pytest.mark.parametrize(
    ("admin", "unit", "status", "code"),
    [
        ("huyen-editor", "21553", 403, "role_missing"),
        ("xa-admin", "540", 403, "out_of_scope"),  # above the commune admin
        ("huyen-admin", "21808", 403, "out_of_scope"),  # another district's commune
        ("huyen-admin", "21999", 404, "unit_not_found"),
    ],
)
def test_the_admin_path_refuses_outside_the_admins_area(
    api, cognito, endpoints, member, admin, unit, status, code
):
    response = api.put(f"/users/{member}/unit", {"unit": unit}, as_user=admin)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _unit(cognito, endpoints, member) == "21550"


def test_a_district_admin_moves_a_user_to_another_commune_of_the_district(
    api, cognito, endpoints, member
):
    response = api.put(f"/users/{member}/unit", {"unit": "21553"}, as_user="huyen-admin")

    assert response.status_code == 200
    assert response.json() == {"username": member, "unit": "21553", "previous_unit": "21550"}
    assert _unit(cognito, endpoints, member) == "21553"
    # Now outside the commune admin's area: they can no longer move the user.
    back = api.put(f"/users/{member}/unit", {"unit": "21550"}, as_user="xa-admin")
    assert back.status_code == 403
