"""Who is acting: a signed-in staff member, with roles and a home unit."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from nguon.models.units import UnitCode


class Role(StrEnum):
    """Cognito groups of the user pool; a user may hold several."""

    ADMIN = "admin"
    APPROVER = "approver"
    EDITOR = "editor"
    OPERATOR = "operator"
    PROVIDER = "provider"
    """A department (sở, ngành) supplying information; departments belong to the province."""
    VIEWER = "viewer"


class Principal(BaseModel):
    """A staff member acting through the API. Acts only inside the subtree of ``home_unit``."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    username: str
    roles: frozenset[Role]
    home_unit: UnitCode
