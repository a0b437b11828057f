"""Ordering a unit's day: who may, what may be placed, and concurrent orders."""

from datetime import date

import pytest

from nguon.errors import Conflict, Forbidden, InvalidInput
from nguon.models.principal import Role
from nguon.models.programme import BroadcastWindow, ProgrammeOrder, ProgrammeSettings
from nguon.services.programmes import ProgrammeService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import DAY, at, bulletin, person
from tests.fakes import InMemoryBulletinStore, InMemoryProgrammeStore, InMemoryUnitStore

operator = person("xa-operator", "21550", Role.OPERATOR)
editor = person("xa-editor", "21550", Role.EDITOR)
elsewhere = person("xa-tayson-operator", "21808", Role.OPERATOR)
THE_DAY = date.fromisoformat(DAY)


@pytest.fixture
def bulletins():
    store = InMemoryBulletinStore()
    for made in (
        bulletin(id="news"),
        bulletin(id="notice", priority="priority", at_time="08:00"),
        bulletin(id="elsewhere", issuer="21808"),
    ):
        store.bulletins[made.id] = made
        store.events[made.id] = []
        store.index[made.id] = set()
    return store


@pytest.fixture
def service(bulletins):
    units = UnitService(InMemoryUnitStore(load_bundled_catalogue()))
    return ProgrammeService(units, bulletins, InMemoryProgrammeStore())


def order(*entries, version=None):
    return ProgrammeOrder.model_validate(
        {"items": [dict(zip(("bulletin_id", "start"), e, strict=False)) for e in entries],
         "version": version}
    )  # fmt: skip


def test_the_operator_places_a_normal_item_and_gets_the_new_programme(service):
    programme = service.order(operator, "21550", THE_DAY, order(("news", "10:00")))

    starts = {item.bulletin_id: item.start for item in programme.items}
    assert starts == {"news": at("10:00"), "notice": at("08:00")}
    assert programme.order_version == 1


def test_an_editor_cannot_order_the_day(service):
    with pytest.raises(Forbidden):
        service.order(editor, "21550", THE_DAY, order(("news",)))


def test_an_operator_cannot_order_another_communes_day(service):
    with pytest.raises(Forbidden):
        service.order(elsewhere, "21550", THE_DAY, order(("news",)))


def test_only_the_days_bulletins_can_be_ordered(service):
    with pytest.raises(InvalidInput) as refused:
        service.order(operator, "21550", THE_DAY, order(("elsewhere",)))

    assert refused.value.code == "not_in_programme"


def test_a_priority_item_is_ordered_but_never_placed(service):
    service.order(operator, "21550", THE_DAY, order(("notice",)))

    with pytest.raises(InvalidInput) as refused:
        service.order(operator, "21550", THE_DAY, order(("notice", "09:00")))

    assert refused.value.code == "fixed_time_item"


def test_a_stale_order_is_refused(service):
    service.order(operator, "21550", THE_DAY, order(("news", "10:00"), version=0))

    with pytest.raises(Conflict):
        service.order(operator, "21550", THE_DAY, order(("news", "11:00"), version=0))
    assert service.order(operator, "21550", THE_DAY, order(("news",), version=1)).order_version == 2


def test_windows_are_the_units_own(service):
    evening = ProgrammeSettings(windows=[BroadcastWindow(start="18:00", end="18:30")])

    service.change_settings(operator, "21550", evening)

    assert service.settings(editor, "21550") == evening
    [news] = [i for i in service.day(editor, "21550", THE_DAY).items if i.bulletin_id == "news"]
    assert news.start == at("18:00")
    assert service.settings(elsewhere, "21808").windows[0].start == "06:00"
