"""The acting staff member, from the claims API Gateway's Cognito authorizer passes on.

Shared by every function behind the Cognito authorizer (the staff API, the speech API).

API Gateway (REST) gives every claim as a string: a single group is ``"editor"``, several are
joined with commas; ``tests/unit/test_identity.py`` pins the shapes seen from AWS.
"""

from collections.abc import Mapping

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import ValidationError

from nguon.errors import Forbidden, Unauthenticated
from nguon.models.principal import Principal, Role

HOME_UNIT_CLAIM = "custom:unit"


def principal_from_claims(claims: Mapping[str, object] | None) -> Principal:
    if not claims or not claims.get("sub"):
        raise Unauthenticated()
    home_unit = claims.get(HOME_UNIT_CLAIM)
    if not home_unit:
        raise Forbidden("no_home_unit")
    try:
        return Principal(
            user_id=str(claims["sub"]),
            username=str(claims.get("cognito:username") or claims.get("username") or ""),
            roles=frozenset(_roles(claims.get("cognito:groups"))),
            home_unit=str(home_unit),
        )
    except ValidationError as error:
        raise Forbidden("no_home_unit") from error


def current_principal(event: APIGatewayProxyEvent) -> Principal:
    return principal_from_claims(event.request_context.authorizer.claims)


def _roles(groups: object) -> set[Role]:
    if isinstance(groups, str):
        names = groups.strip("[]").replace(",", " ").split()
    elif isinstance(groups, list | tuple):
        names = [str(group) for group in groups]
    else:
        names = []
    known = {role.value for role in Role}
    # Groups that are not roles (added by hand in the console, say) grant nothing.
    return {Role(name) for name in names if name in known}
