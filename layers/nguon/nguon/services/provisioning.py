"""Provisioning and decommissioning devices: the thing, its certificate, its record.

The private key exists in exactly one answer: it is generated here, handed to the caller in
the bundle, and never stored. Losing it means decommissioning and provisioning again.
"""

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from nguon.errors import Conflict, InvalidInput, NotFound
from nguon.models.bulletins import Actor
from nguon.models.devices import Device, DeviceKind, DeviceRegistration, DeviceStatus
from nguon.models.principal import Principal
from nguon.models.units import UnitLevel
from nguon.services.access import Permission, authorize
from nguon.services.units import UnitService

if TYPE_CHECKING:  # boto3 and cryptography stay out of the API's cold start
    from nguon.adapters.registry import DeviceCredentials

THING_PREFIX = {DeviceKind.SPEAKER: "loa", DeviceKind.BOARD: "bang"}
"""Thing names say what and where: ``loa-21550-3f9a1c`` (loa: speaker, bảng: board)."""


class Registry(Protocol):
    def register(self, thing: str, attributes: dict[str, str]) -> "DeviceCredentials": ...

    def revoke(self, thing: str, certificate_id: str) -> None: ...

    def mqtt_endpoint(self) -> tuple[str, int]: ...


class DeviceRecords(Protocol):
    def create(self, device: Device) -> None: ...

    def get(self, thing: str) -> Device | None: ...

    def decommission(self, thing: str, at: datetime) -> Device: ...


class Endpoint(BaseModel):
    host: str
    port: int


class ProvisioningBundle(BaseModel):
    """``POST /devices``: everything a device needs, once. The SDK's ``bundle.json`` plus
    the three PEM files are written from it (``python -m infra.tools.provision_device``)."""

    thing: str
    kind: DeviceKind
    unit: str
    areas: list[str]
    """The alert topics the device listens to: province, district, commune."""
    endpoint: Endpoint
    certificate_id: str
    certificate_pem: str
    private_key_pem: str
    ca_pem: str


class ProvisioningService:
    def __init__(
        self,
        units: UnitService,
        records: DeviceRecords,
        registry: Registry,
        now: Callable[[], datetime],
        suffix: Callable[[], str] = lambda: secrets.token_hex(3),
    ) -> None:
        self._units = units
        self._records = records
        self._registry = registry
        self._now = now
        self._suffix = suffix

    def provision(self, principal: Principal, request: DeviceRegistration) -> ProvisioningBundle:
        unit = self._units.require(request.unit)
        authorize(principal, Permission.DEVICES_MANAGE, unit)
        if unit.level is not UnitLevel.COMMUNE:
            raise InvalidInput("device_unit_not_commune", unit=unit.code)
        thing = f"{THING_PREFIX[request.kind]}-{unit.code}-{self._suffix()}"
        path = [*unit.ancestors, unit.code]
        attributes = {"kind": request.kind.value, "unit": unit.code, "area": "/".join(path)}
        # One attribute per area level: the device policy grants the alert topic of each
        # (${iot:Connection.Thing.Attributes[province]} ...), as IoT policies have no
        # wildcard for "one of my areas". A device's unit is a commune, so its path is
        # province, district, commune.
        attributes |= dict(zip(("province", "district", "commune"), path, strict=True))
        credentials = self._registry.register(thing, attributes)
        device = Device(
            thing=thing,
            kind=request.kind,
            unit=unit.code,
            path=path,
            name=request.name,
            location=request.location,
            vendor=request.vendor,
            model=request.model,
            speakers=request.speakers,
            created_at=self._now(),
            created_by=Actor.of(principal),
            certificate_id=credentials.certificate_id,
        )
        try:
            self._records.create(device)
        except Exception:
            self._registry.revoke(thing, credentials.certificate_id)
            raise
        host, port = self._registry.mqtt_endpoint()
        return ProvisioningBundle(
            thing=thing,
            kind=request.kind,
            unit=unit.code,
            areas=path,
            endpoint=Endpoint(host=host, port=port),
            certificate_id=credentials.certificate_id,
            certificate_pem=credentials.certificate_pem,
            private_key_pem=credentials.private_key_pem,
            ca_pem=credentials.ca_pem,
        )

    def decommission(self, principal: Principal, thing: str) -> Device:
        """Revoke the certificate (the device can no longer connect) and retire the record;
        its plays and alarms stay for the statistics."""
        device = self._records.get(thing)
        if device is None:
            raise NotFound("device_not_found", thing=thing)
        authorize(principal, Permission.DEVICES_MANAGE, self._units.require(device.unit))
        if device.status is DeviceStatus.DECOMMISSIONED:
            raise Conflict("device_decommissioned", thing=thing)
        if device.certificate_id:
            self._registry.revoke(thing, device.certificate_id)
        return self._records.decommission(thing, self._now())
