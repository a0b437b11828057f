"""The principal from API Gateway's Cognito claims (every value a string)."""

import pytest

from nguon.errors import Forbidden, Unauthenticated
from nguon.identity import principal_from_claims
from nguon.models.principal import Role

BASE = {"sub": "abc", "cognito:username": "huyen-editor", "custom:unit": "540"}


@pytest.mark.parametrize(
    ("groups", "roles"),
    [
        ("editor", {Role.EDITOR}),  # one group: a plain string
        ("editor,approver", {Role.EDITOR, Role.APPROVER}),  # several: joined with commas
        ("[editor approver]", {Role.EDITOR, Role.APPROVER}),  # HTTP API's rendering
        (["editor", "viewer"], {Role.EDITOR, Role.VIEWER}),  # a raw token's array
        ("editor,reporters", {Role.EDITOR}),  # a group that is no role grants nothing
        (None, set()),
    ],
)
def test_groups_become_roles(groups, roles):
    claims = {**BASE, "cognito:groups": groups} if groups is not None else BASE

    principal = principal_from_claims(claims)

    assert principal.roles == roles
    assert principal.home_unit == "540"
    assert principal.username == "huyen-editor"


def test_no_claims_is_unauthenticated():
    with pytest.raises(Unauthenticated):
        principal_from_claims(None)


def test_account_without_home_unit_is_forbidden():
    with pytest.raises(Forbidden) as refused:
        principal_from_claims({"sub": "abc", "cognito:groups": "admin"})
    assert refused.value.code == "no_home_unit"


def test_account_with_malformed_home_unit_is_forbidden():
    with pytest.raises(Forbidden):
        principal_from_claims({**BASE, "custom:unit": "Bình Định"})
