"""Scope rules: a staff member acts only inside the subtree of their home unit."""

import pytest

from nguon.errors import Forbidden
from nguon.models.principal import Principal, Role
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.unit_catalogue import load_bundled_catalogue, parse_catalogue
from tests.unit.test_unit_catalogue import TWO_LEVEL

UNITS = {unit.code: unit for unit in load_bundled_catalogue()}


def staff(home_unit: str, *roles: Role) -> Principal:
    return Principal(user_id="u", username="u", roles=frozenset(roles), home_unit=home_unit)


@pytest.mark.parametrize("target", ["52", "540", "21550", "547", "21808"])
def test_province_user_acts_everywhere(target):
    authorize(staff("52", Role.APPROVER), Permission.BULLETINS_APPROVE, UNITS[target])


@pytest.mark.parametrize("target", ["540", "21550", "21553"])
def test_district_approver_acts_in_the_district_and_its_communes(target):
    authorize(staff("540", Role.APPROVER), Permission.BULLETINS_APPROVE, UNITS[target])


@pytest.mark.parametrize("target", ["52", "547", "21808"])
def test_district_approver_is_refused_above_and_beside_the_district(target):
    with pytest.raises(Forbidden) as refused:
        authorize(staff("540", Role.APPROVER), Permission.BULLETINS_APPROVE, UNITS[target])
    assert refused.value.code == "out_of_scope"
    assert refused.value.params == {"unit": target, "home_unit": "540"}


@pytest.mark.parametrize("target", ["540", "21553", "52"])
def test_commune_user_is_refused_outside_the_commune(target):
    with pytest.raises(Forbidden):
        authorize(staff("21550", Role.OPERATOR), Permission.UNITS_READ, UNITS[target])


def test_role_without_the_permission_is_refused_even_in_scope():
    with pytest.raises(Forbidden) as refused:
        authorize(staff("52", Role.VIEWER), Permission.BULLETINS_APPROVE, UNITS["540"])
    assert refused.value.code == "role_missing"


def test_roles_add_up():
    editor_and_approver = staff("52", Role.EDITOR, Role.APPROVER)

    granted = permissions_of(editor_and_approver)

    assert {Permission.BULLETINS_COMPOSE, Permission.BULLETINS_APPROVE} <= granted
    assert Permission.DEVICES_MANAGE not in granted


def test_no_role_means_no_permission():
    with pytest.raises(Forbidden):
        authorize(staff("52"), Permission.UNITS_READ, UNITS["52"])


def test_every_role_may_read_units_and_admin_may_do_everything():
    for role in Role:
        assert Permission.UNITS_READ in permissions_of(staff("52", role))
    assert permissions_of(staff("52", Role.ADMIN)) == frozenset(Permission)


def test_two_level_hierarchy_scopes_the_same_way():
    units = {unit.code: unit for unit in parse_catalogue(TWO_LEVEL)}

    authorize(staff("98", Role.EDITOR), Permission.BULLETINS_COMPOSE, units["98002"])
    authorize(staff("98001", Role.EDITOR), Permission.BULLETINS_COMPOSE, units["98001"])
    with pytest.raises(Forbidden):
        authorize(staff("98001", Role.EDITOR), Permission.BULLETINS_COMPOSE, units["98002"])
