"""Who may do what, where: roles grant permissions, the home unit bounds the area.

The rule of the system: a staff member acts only inside the subtree of their home unit (a
district approver: that district and its communes; a province user: everything).
"""

from collections.abc import Mapping
from enum import StrEnum

from nguon.errors import Forbidden
from nguon.models.principal import Principal, Role
from nguon.models.units import AdminUnit


class Permission(StrEnum):
    UNITS_READ = "units:read"
    BULLETINS_READ = "bulletins:read"
    BULLETINS_COMPOSE = "bulletins:compose"
    BULLETINS_APPROVE = "bulletins:approve"
    PROGRAMME_ORDER = "programme:order"
    DEVICES_READ = "devices:read"
    DEVICES_MANAGE = "devices:manage"
    MEDIA_READ = "media:read"
    MEDIA_UPLOAD = "media:upload"
    USERS_MANAGE = "users:manage"
    FEEDBACK_READ = "feedback:read"
    FEEDBACK_HANDLE = "feedback:handle"
    FEEDBACK_CONFIGURE = "feedback:configure"
    REPORTS_READ = "reports:read"
    """KPIs and periodic reports of the area."""
    REPORTS_WRITE = "reports:write"
    """Draft, fill in and submit the unit's reports."""
    REPORTS_REVIEW = "reports:review"
    """Accept or return the reports of units below, and request ad-hoc ones."""
    CENTRAL_READ = "central:read"
    """The outbox to the national system (the province's: its staff only, by scope)."""
    CENTRAL_RETRY = "central:retry"
    """Send a dead outbox item again."""
    DIRECTIVES_READ = "directives:read"
    DIRECTIVES_ISSUE = "directives:issue"
    """Issue directives to units below, and close them (the unit's leadership)."""
    DIRECTIVES_ACKNOWLEDGE = "directives:acknowledge"
    TRAINING_LEARN = "training:learn"
    """Take the courses meant for one's unit, post on their boards, see one's records."""
    TRAINING_MANAGE = "training:manage"
    """Run courses at the unit, assign them, record training taken elsewhere, moderate."""


_READ = frozenset(
    {
        Permission.UNITS_READ,
        Permission.BULLETINS_READ,
        Permission.DEVICES_READ,
        Permission.MEDIA_READ,
        Permission.FEEDBACK_READ,
        Permission.REPORTS_READ,
        Permission.CENTRAL_READ,
        Permission.DIRECTIVES_READ,
        Permission.TRAINING_LEARN,
    }
)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.VIEWER: _READ,
    # Citizens' feedback is answered by those who speak for the unit: its editors, approvers
    # and (for the province) its departments' providers. Editors write the unit's periodic
    # reports; approvers review those of the units below.
    Role.EDITOR: _READ
    | {
        Permission.BULLETINS_COMPOSE,
        Permission.MEDIA_UPLOAD,
        Permission.FEEDBACK_HANDLE,
        Permission.REPORTS_WRITE,
        Permission.DIRECTIVES_ACKNOWLEDGE,
    },
    Role.PROVIDER: _READ
    | {Permission.BULLETINS_COMPOSE, Permission.MEDIA_UPLOAD, Permission.FEEDBACK_HANDLE},
    Role.APPROVER: _READ
    | {
        Permission.BULLETINS_APPROVE,
        Permission.FEEDBACK_HANDLE,
        Permission.REPORTS_REVIEW,
        Permission.CENTRAL_RETRY,
        Permission.DIRECTIVES_ISSUE,
        Permission.DIRECTIVES_ACKNOWLEDGE,
        Permission.TRAINING_MANAGE,
    },
    Role.OPERATOR: _READ
    | {Permission.PROGRAMME_ORDER, Permission.DEVICES_MANAGE, Permission.MEDIA_UPLOAD},
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(principal: Principal) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in principal.roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted


def authorize(principal: Principal, permission: Permission, unit: AdminUnit) -> None:
    """Raise :class:`Forbidden` unless ``principal`` may use ``permission`` on ``unit``."""
    if permission not in permissions_of(principal):
        raise Forbidden("role_missing", permission=permission.value)
    if not unit.is_within(principal.home_unit):
        raise Forbidden("out_of_scope", unit=unit.code, home_unit=principal.home_unit)
