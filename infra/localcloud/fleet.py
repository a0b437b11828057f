"""The simulated fleet: devices provisioned as a technician would, run by the device SDK.

``NGUON_FLEET`` chooses its size: ``district`` (default for ``make run``: one loudspeaker
cluster and one board in the first commune of each district), ``commune`` (one of each in every
commune), a number ``N`` (N of each in every commune), or ``off``.
"""

import logging
import math
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.tools.provision_device import write_bundle
from nguon.clock import now
from nguon.models.devices import DeviceKind, DeviceRegistration, Location
from nguon.models.principal import Principal, Role
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.geo import DistrictBoundaries
from nguon.services.provisioning import ProvisioningService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import CachedUnitStore, UnitService

log = logging.getLogger("localcloud.fleet")

FLEET_OPERATOR = Principal(
    user_id="localcloud-fleet",
    username="localcloud-fleet",
    roles=frozenset({Role.ADMIN}),
    home_unit="52",
)


@dataclass(frozen=True)
class FleetPlan:
    scope: str
    """``off``, ``district`` or ``commune``."""
    per_commune: int = 1

    @classmethod
    def parse(cls, value: str) -> "FleetPlan":
        value = value.strip().lower()
        if value in ("", "0", "off", "none"):
            return cls("off", 0)
        if value in ("district", "commune"):
            return cls(value)
        if value.isdigit():
            return cls("commune", int(value))
        raise ValueError(f"NGUON_FLEET={value!r}: use district, commune, a number or off")

    def communes(self, units: Iterable[AdminUnit]) -> list[AdminUnit]:
        communes = sorted(
            (unit for unit in units if unit.level is UnitLevel.COMMUNE), key=lambda u: u.code
        )
        if self.scope == "off":
            return []
        if self.scope == "commune":
            return communes
        first: dict[str, AdminUnit] = {}
        for commune in communes:
            first.setdefault(commune.parent or commune.code, commune)
        return sorted(first.values(), key=lambda u: u.code)


def provision_fleet(
    service: ProvisioningService, plan: FleetPlan, folder: Path, workers: int = 8
) -> list[Path]:
    """Provision the plan's devices and write one bundle folder each; their paths."""
    shutil.rmtree(folder, ignore_errors=True)  # identities of an earlier run are void now
    folder.mkdir(parents=True)
    requests = registrations(plan, load_bundled_catalogue())

    def one(registration: DeviceRegistration) -> Path:
        bundle = service.provision(FLEET_OPERATOR, registration)
        return write_bundle(bundle.model_dump(mode="json"), folder)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        bundles = list(pool.map(one, requests))
    log.info("provisioned %d simulated devices in %s", len(bundles), folder)
    return bundles


def registrations(plan: FleetPlan, units: Iterable[AdminUnit]) -> list[DeviceRegistration]:
    """The plan's devices, each standing inside its own district's shipped boundary."""
    units = list(units)
    places = commune_places(units)
    return [
        _registration(commune, kind, index, places[commune.code])
        for commune in plan.communes(units)
        for index in range(plan.per_commune)
        for kind in DeviceKind
    ]


def commune_places(units: Iterable[AdminUnit]) -> dict[str, tuple[float, float]]:
    """A (lat, lon) for every commune, inside its district's boundary and the same every run.

    Only district boundaries ship, and the catalogue gives communes no coordinates: the
    communes of a district (in code order) take evenly spread points of its land, so each
    commune's devices stand together and apart from the neighbours'."""
    boundaries = DistrictBoundaries.bundled()
    by_district: dict[str, list[AdminUnit]] = {}
    for unit in units:
        if unit.level is UnitLevel.COMMUNE and unit.parent in boundaries.codes:
            by_district.setdefault(unit.parent, []).append(unit)
    places: dict[str, tuple[float, float]] = {}
    for district, communes in by_district.items():
        communes.sort(key=lambda unit: unit.code)
        points = boundaries.spread_points(district, len(communes))
        places.update(zip((unit.code for unit in communes), points, strict=True))
    return places


def _registration(
    commune: AdminUnit, kind: DeviceKind, index: int, place: tuple[float, float]
) -> DeviceRegistration:
    what = "Cụm loa" if kind is DeviceKind.SPEAKER else "Bảng tin"
    return DeviceRegistration(
        kind=kind,
        unit=commune.code,
        name=f"{what} mô phỏng {index + 1} — {commune.name}",
        location=_location(commune, place, kind, index),
        vendor="Nguồn",
        model="simulator",
        speakers=4 if kind is DeviceKind.SPEAKER else 0,
    )


NEAR_DEG = 0.002
"""How far (about 200 m) a commune's devices stand from its point and from each other."""


def _location(
    commune: AdminUnit, place: tuple[float, float], kind: DeviceKind, index: int
) -> Location:
    """Near the commune's point, a step around it per device; the point itself where the step
    would leave the district (a commune by the coast or the border)."""
    lat, lon = place
    turn = (2 * index + (0 if kind is DeviceKind.SPEAKER else 1)) * 2.39996  # golden angle
    near = (round(lat + NEAR_DEG * math.sin(turn), 6), round(lon + NEAR_DEG * math.cos(turn), 6))
    district = commune.parent or ""
    if DistrictBoundaries.bundled().contains(district, *near):
        lat, lon = near
    return Location(lat=lat, lon=lon)


class SimulatedFleet:
    """The fleet as a local cloud service: provisioned at start, disconnected at stop."""

    name = "fleet"

    def __init__(self, plan: FleetPlan, folder: Path) -> None:
        self.plan = plan
        self.folder = folder
        self.fleet: Any = None
        self.bundles: list[Path] = []

    def start(self) -> None:
        from nguon_device.fleet import Fleet  # the device side, exactly as a device runs it

        self.bundles = provision_fleet(_provisioning(), self.plan, self.folder / "bundles")
        self.fleet = Fleet(cache_root=self.folder / "cache", connect_spread_s=2.0)
        self.fleet.start(self.bundles)
        connected = self.fleet.wait_connected(timeout_s=30)
        log.info("simulated fleet: %d of %d devices connected", connected, len(self.bundles))

    def stop(self) -> None:
        if self.fleet is not None:
            self.fleet.stop()


def _provisioning() -> ProvisioningService:
    """The service ``POST /devices`` runs, built here as the API function builds it."""
    from nguon.adapters.registry import DeviceRegistry
    from nguon.storage.devices import DynamoDeviceStore
    from nguon.storage.units import DynamoUnitStore

    units = UnitService(CachedUnitStore(DynamoUnitStore()))
    return ProvisioningService(units, DynamoDeviceStore(), DeviceRegistry(), now=now)
