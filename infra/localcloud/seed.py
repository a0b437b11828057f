"""Seeding the local cloud: the administrative units and the demo accounts."""

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from nguon.models.principal import Role

if TYPE_CHECKING:
    from types_boto3_cognito_idp import CognitoIdentityProviderClient
    from types_boto3_cognito_idp.type_defs import AttributeTypeTypeDef


PROVINCE = "52"  # Tỉnh Bình Định
DISTRICT = "540"  # Thành phố Quy Nhơn
COMMUNE = "21550"  # Phường Nhơn Bình, in Quy Nhơn
OTHER_COMMUNE = "21808"  # Thị trấn Phú Phong, in Huyện Tây Sơn


@dataclass(frozen=True)
class DemoUser:
    username: str
    groups: list[str]
    unit: str
    name: str

    def as_endpoint(self, password: str) -> dict[str, Any]:
        return {**asdict(self), "password": password}


def demo_users() -> list[DemoUser]:
    """Every role at the province; every role but provider at a district and one of its
    communes (departments belong to the province); an operator in another district."""
    users = []
    places = [
        ("tinh", PROVINCE, "tỉnh"),
        ("huyen", DISTRICT, "TP Quy Nhơn"),
        ("xa", COMMUNE, "P. Nhơn Bình"),
    ]
    for prefix, unit, place in places:
        for role in Role:
            if role is Role.PROVIDER and unit != PROVINCE:
                continue
            users.append(
                DemoUser(f"{prefix}-{role.value}", [role.value], unit, f"{role.value} {place}")
            )
    users.append(DemoUser("xa-tayson-operator", ["operator"], OTHER_COMMUNE, "operator Phú Phong"))
    return users


def add_user(
    cognito: "CognitoIdentityProviderClient",
    pool_id: str,
    username: str,
    *,
    unit: str,
    password: str,
    groups: list[str],
    name: str | None = None,
) -> None:
    """A confirmed staff account with its home unit and groups (no invitation e-mail)."""
    attributes: list[AttributeTypeTypeDef] = [{"Name": "custom:unit", "Value": unit}]
    if name:
        attributes.append({"Name": "name", "Value": name})
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def seed_demo_users(
    cognito: "CognitoIdentityProviderClient", pool_id: str, password: str
) -> list[dict[str, Any]]:
    accounts = []
    for user in demo_users():
        add_user(
            cognito,
            pool_id,
            user.username,
            unit=user.unit,
            password=password,
            groups=user.groups,
            name=user.name,
        )
        accounts.append(user.as_endpoint(password))
    return accounts
