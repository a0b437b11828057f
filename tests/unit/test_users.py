"""Home units: only an admin sets them, and only between units of the admin's own area."""

import boto3
import pytest
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto.cognitoidp.models import CognitoIdpBackend

from infra.localcloud import moto_cognito
from infra.localcloud.template import TEMPLATE_PATH
from nguon.adapters.user_directory import CognitoUserDirectory
from nguon.errors import Forbidden, NotFound
from nguon.models.principal import Role
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from nguon.services.users import UserService
from tests.factories import person
from tests.fakes import InMemoryUnitStore

# Bình Định (52) > Quy Nhơn (540) > Nhơn Bình (21550), Ghềnh Ráng (21553);
# Bình Định > Tây Sơn (547) > Phú Phong (21808).
province_admin = person("tinh-admin", "52", Role.ADMIN)
district_admin = person("huyen-admin", "540", Role.ADMIN)
commune_admin = person("xa-admin", "21550", Role.ADMIN)


class Directory:
    def __init__(self, **units: str) -> None:
        self.units = dict(units)

    def unit_of(self, username):
        return self.units.get(username)

    def set_unit(self, username, unit):
        self.units[username] = unit


@pytest.fixture
def world():
    directory = Directory(editor="21550", tayson="21808", newcomer="", ghost="99999")
    return UserService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())), directory
    ), directory


def test_a_district_admin_moves_a_user_between_communes_of_the_district(world):
    service, directory = world

    moved = service.set_unit(district_admin, "editor", "21553")

    assert (moved.username, moved.unit, moved.previous_unit) == ("editor", "21553", "21550")
    assert directory.units["editor"] == "21553"


@pytest.mark.parametrize(
    ("admin", "username", "unit", "code"),
    [
        (district_admin, "editor", "52", "out_of_scope"),  # new unit above the admin
        (district_admin, "editor", "21808", "out_of_scope"),  # new unit in another district
        (district_admin, "tayson", "21550", "out_of_scope"),  # the user is someone else's
        (commune_admin, "editor", "540", "out_of_scope"),
        (district_admin, "newcomer", "21550", "out_of_scope"),  # no unit: the province's
        (district_admin, "ghost", "21550", "out_of_scope"),  # unknown unit: the province's
    ],
)
def test_both_units_must_lie_in_the_admins_area(world, admin, username, unit, code):
    service, directory = world
    before = dict(directory.units)

    with pytest.raises(Forbidden) as refused:
        service.set_unit(admin, username, unit)

    assert refused.value.code == code
    assert directory.units == before


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admins_set_units_even_inside_their_area(world, role):
    service, directory = world

    with pytest.raises(Forbidden) as refused:
        service.set_unit(person("tinh-x", "52", role), "editor", "21553")

    assert refused.value.code == "role_missing"
    assert directory.units["editor"] == "21550"


def test_the_province_admin_places_users_without_a_unit(world):
    service, directory = world

    assert service.set_unit(province_admin, "newcomer", "21808").previous_unit == ""
    assert service.set_unit(province_admin, "ghost", "540").unit == "540"
    assert (directory.units["newcomer"], directory.units["ghost"]) == ("21808", "540")


def test_an_unknown_user_or_unit_is_not_found_for_an_admin_in_scope(world):
    service, _ = world

    with pytest.raises(NotFound) as no_user:
        service.set_unit(district_admin, "nobody", "21550")
    with pytest.raises(NotFound) as no_unit:
        service.set_unit(district_admin, "editor", "21999")

    assert (no_user.value.code, no_unit.value.code) == ("user_not_found", "unit_not_found")


# ---------------------------------------------------------------- Cognito, as AWS enforces it
@pytest.fixture
def pool(monkeypatch):
    """The template's pool and console client on moto, with the local cloud's write check."""
    monkeypatch.setattr(  # restored after the test: the check is the local cloud's, installed
        CognitoIdpBackend, "update_user_attributes", CognitoIdpBackend.update_user_attributes
    )
    moto_cognito.install()
    resources = cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]
    client_props = resources["UserPoolClient"]["Properties"]
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="ap-southeast-1")
        pool_id = cognito.create_user_pool(
            PoolName="staff",
            Schema=[{"Name": "unit", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="console",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=client_props["ReadAttributes"],
            WriteAttributes=client_props["WriteAttributes"],
        )["UserPoolClient"]["ClientId"]
        open_client = cognito.create_user_pool_client(  # no list: every attribute writable
            UserPoolId=pool_id, ClientName="open", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="xa-editor",
            UserAttributes=[{"Name": "custom:unit", "Value": "21550"}],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="xa-editor", Password="Nguon-test-1234", Permanent=True
        )

        def token(client):
            return cognito.initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "xa-editor", "PASSWORD": "Nguon-test-1234"},
            )["AuthenticationResult"]["AccessToken"]

        def unit():
            user = cognito.admin_get_user(UserPoolId=pool_id, Username="xa-editor")
            return {a["Name"]: a["Value"] for a in user["UserAttributes"]}["custom:unit"]

        yield cognito, pool_id, token(client_id), token(open_client), unit


def test_the_console_client_cannot_write_the_unit(pool):
    cognito, _, console_token, _, unit = pool
    assert (
        "custom:unit"
        not in cfn_yaml.load(str(TEMPLATE_PATH))["Resources"]["UserPoolClient"]["Properties"][
            "WriteAttributes"
        ]
    )

    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="unauthorized attribute"):
        cognito.update_user_attributes(
            AccessToken=console_token, UserAttributes=[{"Name": "custom:unit", "Value": "52"}]
        )
    # One unwritable attribute refuses the whole call.
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.update_user_attributes(
            AccessToken=console_token,
            UserAttributes=[
                {"Name": "name", "Value": "Tỉnh"},
                {"Name": "custom:unit", "Value": "52"},
            ],
        )

    assert unit() == "21550"
    cognito.update_user_attributes(
        AccessToken=console_token, UserAttributes=[{"Name": "name", "Value": "Biên tập xã"}]
    )


def test_a_client_without_write_attributes_may_write_any(pool):
    """AWS's default, kept: the check reads the client's list, not a list of its own."""
    cognito, _, _, open_token, unit = pool

    cognito.update_user_attributes(
        AccessToken=open_token, UserAttributes=[{"Name": "custom:unit", "Value": "540"}]
    )

    assert unit() == "540"


def test_the_directory_reads_and_sets_a_unit_with_admin_calls(pool):
    cognito, pool_id, _, _, unit = pool
    directory = CognitoUserDirectory(pool_id, cognito)

    assert directory.unit_of("xa-editor") == "21550"
    assert directory.unit_of("nobody") is None
    directory.set_unit("xa-editor", "21553")

    assert unit() == "21553"
