"""Provisioning: scope, the bundle once, nothing half-made, decommissioning revokes."""

import pytest

from nguon.adapters.registry import DeviceCredentials
from nguon.errors import Conflict, Forbidden, InvalidInput
from nguon.models.devices import DeviceRegistration, DeviceStatus
from nguon.models.principal import Role
from nguon.services.provisioning import ProvisioningService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.factories import at, person
from tests.fakes import InMemoryDeviceStore, InMemoryUnitStore

operator = person("tp-operator", "540", Role.OPERATOR)
editor = person("tp-editor", "540", Role.EDITOR)
tayson = person("xa-tayson-operator", "21808", Role.OPERATOR)


class Registry:
    def __init__(self) -> None:
        self.things: dict[str, dict] = {}
        self.revoked: list[str] = []

    def register(self, thing, attributes):
        self.things[thing] = attributes
        return DeviceCredentials(
            thing=thing,
            certificate_id=f"cert-{thing}",
            certificate_arn=f"arn:cert/{thing}",
            certificate_pem="-----BEGIN CERTIFICATE-----",
            private_key_pem="-----BEGIN PRIVATE KEY-----",
            ca_pem="-----BEGIN CERTIFICATE----- ca",
        )

    def revoke(self, thing, certificate_id):
        self.revoked.append(certificate_id)
        self.things.pop(thing, None)

    def mqtt_endpoint(self):
        return "127.0.0.1", 8883


@pytest.fixture
def world():
    registry, records = Registry(), InMemoryDeviceStore()
    suffixes = iter(["aaaaaa", "bbbbbb", "cccccc"])
    service = ProvisioningService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())),
        records,
        registry,
        now=lambda: at("09:00"),
        suffix=lambda: next(suffixes),
    )
    return service, registry, records


def registration(unit="21550", kind="speaker") -> DeviceRegistration:
    return DeviceRegistration.model_validate(
        {
            "kind": kind,
            "unit": unit,
            "name": "Cụm loa chợ Lớn",
            "location": {"lat": 13.77, "lon": 109.22},
            "vendor": "VNPT",
            "model": "IPS-4",
            "speakers": 4,
        }
    )


def test_operator_provisions_a_speaker_in_their_area(world):
    service, registry, records = world

    bundle = service.provision(operator, registration())

    assert bundle.thing == "loa-21550-aaaaaa"
    assert bundle.areas == ["52", "540", "21550"]
    assert bundle.endpoint.port == 8883
    assert bundle.private_key_pem.startswith("-----BEGIN PRIVATE KEY")
    assert registry.things["loa-21550-aaaaaa"] == {
        "kind": "speaker",
        "unit": "21550",
        "area": "52/540/21550",
        "province": "52",
        "district": "540",
        "commune": "21550",
    }
    stored = records.get("loa-21550-aaaaaa")
    assert stored.certificate_id == "cert-loa-21550-aaaaaa"
    assert "private" not in stored.model_dump_json()  # the key is never kept


def test_board_things_are_named_as_boards(world):
    service, _, _ = world
    assert service.provision(operator, registration(kind="board")).thing == "bang-21550-aaaaaa"


def test_operator_cannot_provision_outside_their_area(world):
    service, registry, _ = world
    with pytest.raises(Forbidden) as refused:
        service.provision(tayson, registration("21550"))
    assert refused.value.code == "out_of_scope"
    assert registry.things == {}


def test_editor_cannot_provision(world):
    service, _, _ = world
    with pytest.raises(Forbidden) as refused:
        service.provision(editor, registration())
    assert refused.value.code == "role_missing"


def test_devices_belong_to_communes(world):
    service, registry, _ = world
    with pytest.raises(InvalidInput) as refused:
        service.provision(operator, registration("540"))
    assert refused.value.code == "device_unit_not_commune"
    assert registry.things == {}


def test_a_failed_record_leaves_no_registered_thing(world):
    service, registry, records = world

    def clash(_device):
        raise Conflict("device_exists", thing="x")

    records.create = clash
    with pytest.raises(Conflict):
        service.provision(operator, registration())
    assert registry.things == {}
    assert registry.revoked == ["cert-loa-21550-aaaaaa"]


def test_decommissioning_revokes_the_certificate(world):
    service, registry, records = world
    thing = service.provision(operator, registration()).thing

    retired = service.decommission(operator, thing)

    assert registry.revoked == [f"cert-{thing}"]
    assert retired.status is DeviceStatus.DECOMMISSIONED
    assert records.get(thing).decommissioned_at == at("09:00")
    with pytest.raises(Conflict):
        service.decommission(operator, thing)


def test_decommissioning_is_scoped(world):
    service, registry, _ = world
    thing = service.provision(operator, registration()).thing
    with pytest.raises(Forbidden):
        service.decommission(tayson, thing)
    assert registry.revoked == []
