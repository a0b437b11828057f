"""The Cognito user pool as the directory of staff accounts' home units (``custom:unit``)."""

from functools import cached_property
from typing import TYPE_CHECKING

import boto3

from nguon.config import get_settings

if TYPE_CHECKING:
    from types_boto3_cognito_idp import CognitoIdentityProviderClient


UNIT_ATTRIBUTE = "custom:unit"


class CognitoUserDirectory:
    """Admin calls only (AdminGetUser, AdminUpdateUserAttributes): the function's role is
    allowed them on this one pool; users themselves cannot write the attribute."""

    def __init__(
        self, pool_id: str | None = None, client: "CognitoIdentityProviderClient | None" = None
    ) -> None:
        self._pool_id = pool_id
        self._given = client

    @cached_property
    def _cognito(self) -> "CognitoIdentityProviderClient":
        return self._given or boto3.client("cognito-idp", region_name=get_settings().region)

    @property
    def pool_id(self) -> str:
        pool = self._pool_id or get_settings().user_pool_id
        if not pool:
            raise RuntimeError("NGUON_USER_POOL_ID is not set for this function")
        return pool

    def unit_of(self, username: str) -> str | None:
        try:
            user = self._cognito.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except self._cognito.exceptions.UserNotFoundException:
            return None
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        return attributes.get(UNIT_ATTRIBUTE, "")

    def set_unit(self, username: str, unit: str) -> None:
        self._cognito.admin_update_user_attributes(
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=[{"Name": UNIT_ATTRIBUTE, "Value": unit}],
        )
