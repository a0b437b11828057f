"""The simulated fleet: devices provisioned as a technician would, run by the device SDK.

``NGUON_FLEET`` chooses its size: ``district`` (default for ``make run``: one loudspeaker
cluster and one board in the first commune of each district), ``commune`` (one of each in every
commune), a number ``N`` (N of each in every commune), or ``off``.
"""

import logging
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.tools.provision_device import write_bundle
from nguon.models.devices import DeviceKind, DeviceRegistration
from nguon.models.principal import Principal, Role
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.provisioning import ProvisioningService
from nguon.services.unit_catalogue import load_bundled_catalogue

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
    requests = [
        _registration(commune, kind, index)
        for commune in plan.communes(load_bundled_catalogue())
        for index in range(plan.per_commune)
        for kind in DeviceKind
    ]

    def one(registration: DeviceRegistration) -> Path:
        bundle = service.provision(FLEET_OPERATOR, registration)
        return write_bundle(bundle.model_dump(mode="json"), folder)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        bundles = list(pool.map(one, requests))
    log.info("provisioned %d simulated devices in %s", len(bundles), folder)
    return bundles


def _registration(commune: AdminUnit, kind: DeviceKind, index: int) -> DeviceRegistration:
    what = "Cụm loa" if kind is DeviceKind.SPEAKER else "Bảng tin"
    return DeviceRegistration(
        kind=kind,
        unit=commune.code,
        name=f"{what} mô phỏng {index + 1} — {commune.name}",
        location=_location(commune),
        vendor="Nguồn",
        model="simulator",
        speakers=4 if kind is DeviceKind.SPEAKER else 0,
    )


def _location(commune: AdminUnit) -> Any:
    # Bình Định lies around 13.0–14.7 N, 108.6–109.4 E; spread the simulators inside it.
    seed = int(commune.code)
    return {"lat": 13.2 + (seed % 97) / 97 * 1.2, "lon": 108.7 + (seed % 89) / 89 * 0.6}
