"""The staff of each unit, from the Cognito user pool (``custom:unit``).

Cognito's ``ListUsers`` filter takes only standard attributes ("custom attributes aren't
searchable"), so "staff of a unit" is one pass over the pool (60 users a page, asking only for
the name and the unit) kept for five minutes: a province of a thousand staff is 17 calls every
five minutes, and nothing is copied into the table to drift from the pool.
"""

from collections.abc import Callable
from functools import cached_property
from time import monotonic
from typing import TYPE_CHECKING

import boto3

from nguon.adapters.user_directory import UNIT_ATTRIBUTE
from nguon.config import get_settings
from nguon.services.training import StaffMember

if TYPE_CHECKING:
    from types_boto3_cognito_idp import CognitoIdentityProviderClient

CACHE_S = 300.0


class CognitoStaffDirectory:
    def __init__(
        self,
        pool_id: str | None = None,
        client: "CognitoIdentityProviderClient | None" = None,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self._pool_id = pool_id
        self._given = client
        self._clock = clock
        self._cached: tuple[float, list[StaffMember]] | None = None

    @cached_property
    def _cognito(self) -> "CognitoIdentityProviderClient":
        return self._given or boto3.client("cognito-idp", region_name=get_settings().region)

    def members(self) -> list[StaffMember]:
        now = self._clock()
        if self._cached is None or now - self._cached[0] > CACHE_S:
            self._cached = (now, self._read())
        return self._cached[1]

    def _read(self) -> list[StaffMember]:
        pool = self._pool_id or get_settings().user_pool_id
        if not pool:
            raise RuntimeError("NGUON_USER_POOL_ID is not set for this function")
        found = []
        pages = self._cognito.get_paginator("list_users").paginate(
            UserPoolId=pool, AttributesToGet=["name", UNIT_ATTRIBUTE]
        )
        for page in pages:
            for user in page.get("Users", []):
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                unit = attributes.get(UNIT_ATTRIBUTE)
                username = user.get("Username")
                if unit and username and user.get("Enabled", True):
                    found.append(
                        StaffMember(
                            username=username, name=attributes.get("name") or username, unit=unit
                        )
                    )
        return found
