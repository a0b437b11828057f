"""Staff accounts' home units, set only by an administrator whose area holds both ends.

A user's home unit (Cognito ``custom:unit``) bounds everything they may do, so users cannot
write it themselves (the console's app client does not list it among its WriteAttributes);
an admin moves a user from one unit to another only when the user's current unit and the new
one both lie inside the admin's own area.
"""

from typing import Protocol

from pydantic import BaseModel, ConfigDict

from nguon.errors import Forbidden, NotFound
from nguon.models.principal import Principal
from nguon.models.units import UnitCode
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.units import UnitService


class UserDirectory(Protocol):
    def unit_of(self, username: str) -> str | None:
        """The user's home unit ("" if they have none), or None if there is no such user."""
        ...

    def set_unit(self, username: str, unit: str) -> None: ...


class UnitAssignment(BaseModel):
    """The body of ``PUT /users/{username}/unit``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: UnitCode


class UserUnit(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    unit: UnitCode
    previous_unit: str


class UserService:
    def __init__(self, units: UnitService, directory: UserDirectory) -> None:
        self._units = units
        self._directory = directory

    def set_unit(self, principal: Principal, username: str, unit: str) -> UserUnit:
        # The role first: nobody but an admin learns whether a user or a unit exists.
        if Permission.USERS_MANAGE not in permissions_of(principal):
            raise Forbidden("role_missing", permission=Permission.USERS_MANAGE.value)
        authorize(principal, Permission.USERS_MANAGE, self._units.require(unit))
        current = self._directory.unit_of(username)
        if current is None:
            raise NotFound("user_not_found", username=username)
        # A user without a unit, or with one the catalogue no longer has, belongs to no
        # admin's area but the whole province's.
        current_unit = self._units.find(current) if current else None
        if current_unit is None:
            root = self._units.require(principal.home_unit)
            if root.ancestors:
                raise Forbidden("out_of_scope", unit=current or "-", home_unit=principal.home_unit)
        else:
            authorize(principal, Permission.USERS_MANAGE, current_unit)
        self._directory.set_unit(username, unit)
        return UserUnit(username=username, unit=unit, previous_unit=current)
