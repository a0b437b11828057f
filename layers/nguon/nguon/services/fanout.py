"""From a workflow step to every device it concerns (the fan-out).

The live path scales with areas, not devices: an emergency is published once on each target
unit's alert topic, which every device below it listens to. The durable path is per device
but small: each ``playback`` shadow gets the new manifest's reference (version, URL,
checksum — never the playlist; shadows hold 8 KB) and the active emergency, so a device that
was offline catches up on reconnect, and plays the emergency only while it is valid.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from nguon.adapters.iot import PLAYBACK_SHADOW, alert_topic
from nguon.adapters.manifests import manifest_bytes
from nguon.clock import local_zone
from nguon.models.bulletins import AuditAction, Bulletin, Channel, Priority, Status
from nguon.models.units import AdminUnit
from nguon.services.bulletins import BulletinStore
from nguon.services.delivered_media import DeliveredMedia
from nguon.services.programmes import ProgrammeService
from nguon.services.units import UnitService

MANIFEST_HOURS = 48
KINDS = ("speaker", "board")
_CHANNEL = {"speaker": Channel.SPEAKER, "board": Channel.BOARD}
_LIVE_ACTIONS = {AuditAction.APPROVED, AuditAction.WITHDRAWN, AuditAction.SUPERSEDED}
# Steps that change what devices hold: the live ones, and the voice arriving (audio in the
# manifests, no new alert).
_DELIVERED_ACTIONS = _LIVE_ACTIONS | {AuditAction.VOICED}


class DeviceDirectory(Protocol):
    """Active devices (things with ``thing``, ``kind`` and ``unit``, their commune)."""

    def in_units(self, units: Sequence[str]) -> list[Any]: ...

    def all_active(self) -> list[Any]: ...


class Manifests(Protocol):
    def put(self, unit: str, kind: str, version: str, body: bytes) -> dict[str, str]: ...

    def put_alert(self, alert_id: str, version: int, body: bytes) -> dict[str, str]: ...

    def alert_link(self, alert_id: str, version: int | str) -> str: ...


class DevicePlane(Protocol):
    def update_desired(self, thing: str, shadow: str, desired: dict[str, Any]) -> int: ...

    def publish(self, topic: str, message: dict[str, Any], qos: int = 1) -> None: ...

    def get_shadow(self, thing: str, shadow: str) -> dict[str, Any] | None: ...


@dataclass
class FanoutReport:
    published: list[str] = field(default_factory=list)
    """Alert topics published to."""
    manifests: list[str] = field(default_factory=list)
    """``unit/kind@version`` written."""
    shadows: int = 0


class FanoutService:
    def __init__(
        self,
        units: UnitService,
        bulletins: BulletinStore,
        programmes: ProgrammeService,
        devices: DeviceDirectory,
        manifests: Manifests,
        iot: DevicePlane,
        now: Callable[[], datetime],
        media: Callable[[], DeliveredMedia] | None = None,
        planned: Callable[[str, date, str, int], None] | None = None,
    ) -> None:
        self._units = units
        self._bulletins = bulletins
        self._programmes = programmes
        self._devices = devices
        self._manifests = manifests
        self._iot = iot
        self._now = now
        # A fresh one per fan-out: it caches media records for one build, not longer.
        self._media = media
        # ``DynamoDailyCounts.set_planned``: each day's plays per device, for the overview.
        self._planned = planned

    # ------------------------------------------------------------------ triggers
    def bulletin_changed(self, bulletin_id: str, action: AuditAction) -> FanoutReport:
        """A workflow step was committed; approval, withdrawal and the voice reach devices."""
        report = FanoutReport()
        if action not in _DELIVERED_ACTIONS:
            return report
        bulletin = self._bulletins.get(bulletin_id)
        if bulletin is None:
            return report
        live = None
        if bulletin.priority is Priority.EMERGENCY and action in _LIVE_ACTIONS:
            # First, before anything that grows with the number of devices: the live path.
            live = self._publish_live(bulletin, action, report)
        communes = self._communes(bulletin.targets)
        devices = self._devices.in_units([c.code for c in communes])
        if live is not None:
            self._hold_in_shadows(bulletin, live, devices, report)
        self._deliver(communes, devices, report)
        return report

    def programme_changed(self, unit_code: str) -> FanoutReport:
        report = FanoutReport()
        communes = self._communes([unit_code])
        self._deliver(communes, self._devices.in_units([c.code for c in communes]), report)
        return report

    def devices_added(self, unit: str, things: Iterable[str]) -> FanoutReport:
        """New devices of one commune get its manifest (built once for all of them)."""
        report = FanoutReport()
        wanted = set(things)
        devices = [device for device in self._devices.in_units([unit]) if device.thing in wanted]
        self._deliver(self._communes([unit]), devices, report)
        return report

    def refresh(self) -> FanoutReport:
        """Hourly: roll every manifest 48 hours forward, which re-signs its link and its
        media's; clear emergencies past expiry and re-sign the links of those in force.

        Links die with the credentials that signed them (``nguon.adapters.signing``), long
        before the seven days SigV4 allows: this round hands out new ones before they lapse.
        """
        report = FanoutReport()
        devices = self._devices.all_active()
        communes = self._communes(sorted({device.unit for device in devices}))
        self._deliver(communes, devices, report)
        now = self._now()
        links: dict[tuple[str, str], str] = {}  # one new link per alert document, not per device
        for device in devices:
            shadow = self._iot.get_shadow(device.thing, PLAYBACK_SHADOW) or {}
            held = shadow.get("state", {}).get("desired", {}).get("emergencies") or {}
            changes: dict[str, dict[str, Any] | None] = {}
            for alert_id, reference in held.items():
                if not reference:
                    continue
                if datetime.fromisoformat(reference["valid_until"]) <= now:
                    changes[alert_id] = None
                    continue
                document = (alert_id, str(reference["version"]))
                if document not in links:
                    links[document] = self._manifests.alert_link(*document)
                changes[alert_id] = reference | {"url": links[document]}
            if changes:
                self._iot.update_desired(device.thing, PLAYBACK_SHADOW, {"emergencies": changes})
                report.shadows += 1
        return report

    # ------------------------------------------------------------------ emergencies
    def _publish_live(
        self, bulletin: Bulletin, action: AuditAction, report: FanoutReport
    ) -> dict[str, Any] | None:
        """Start (approved and in force) or stop (withdrawn, superseded, expired) on the area
        topics; the message, or None for an emergency that is not in force yet (it plays from
        the manifest at its time)."""
        now = self._now()
        start, until = bulletin.validity()
        live = action is AuditAction.APPROVED and bulletin.status_at(now) is Status.APPROVED
        if live and not start <= now < until:
            return None
        message = self.alert_message(bulletin, "start" if live else "stop")
        for target in bulletin.targets:  # one publish per area, whatever its device count
            self._iot.publish(alert_topic(target), message)
            report.published.append(alert_topic(target))
        return message

    def _hold_in_shadows(
        self, bulletin: Bulletin, message: dict[str, Any], devices: list[Any], report: FanoutReport
    ) -> None:
        """The durable copy: a reference in each shadow (the text can be 10,000 characters, a
        shadow holds 8 KB); null removes it."""
        reference = self._alert_reference(message) if message["action"] == "start" else None
        for device in devices:
            self._iot.update_desired(
                device.thing, PLAYBACK_SHADOW, {"emergencies": {bulletin.id: reference}}
            )
            report.shadows += 1

    def _alert_reference(self, message: dict[str, Any]) -> dict[str, Any]:
        stored = self._manifests.put_alert(
            message["alert_id"], message["version"], manifest_bytes(message)
        )
        return {
            "alert_id": message["alert_id"],
            "version": message["version"],
            "valid_from": message["valid_from"],
            "valid_until": message["valid_until"],
            "url": stored["url"],
            "sha256": stored["sha256"],
        }

    def alert_message(self, bulletin: Bulletin, action: str) -> dict[str, Any]:
        start, until = bulletin.validity()
        message: dict[str, Any] = {
            "action": action,
            "alert_id": bulletin.id,
            "version": bulletin.version,
            "issued_at": _iso(self._now()),
        }
        if action == "start":
            message |= {
                "title": bulletin.title,
                "text": bulletin.body,
                "media": None,
                "valid_from": _iso(start),
                "valid_until": _iso(until),
                "repeat": bulletin.repeat.count if bulletin.repeat else 1,
                "areas": list(bulletin.targets),
            }
        return message

    # ------------------------------------------------------------------ manifests
    def _deliver(
        self, communes: Iterable[AdminUnit], devices: list[Any], report: FanoutReport
    ) -> None:
        media = self._media() if self._media else None
        by_place: dict[tuple[str, str], list[Any]] = {}
        for device in devices:
            by_place.setdefault((device.unit, str(device.kind)), []).append(device)
        for commune in communes:
            for kind in KINDS:
                listeners = by_place.get((commune.code, kind), [])
                if not listeners:
                    continue  # no device of this kind here: nothing to write
                reference = self.write_manifest(commune, kind, media)
                report.manifests.append(f"{commune.code}/{kind}@{reference['version']}")
                for device in listeners:
                    self._iot.update_desired(device.thing, PLAYBACK_SHADOW, {"manifest": reference})
                    report.shadows += 1

    def write_manifest(
        self, commune: AdminUnit, kind: str, media: DeliveredMedia | None = None
    ) -> dict[str, str]:
        manifest = self.build_manifest(commune, kind, media)
        body = manifest_bytes(manifest)
        return self._manifests.put(commune.code, kind, manifest["version"], body)

    def build_manifest(
        self, commune: AdminUnit, kind: str, media: DeliveredMedia | None = None
    ) -> dict[str, Any]:
        """The next 48 hours of the commune's programme for one kind of device."""
        now = self._now().astimezone(local_zone())
        until = now + timedelta(hours=MANIFEST_HOURS)
        items: list[dict[str, Any]] = []
        day = now.date()
        while day <= until.date():
            programme, bulletins = self._programmes.for_delivery(commune, day, _CHANNEL[kind])
            if self._planned is not None:
                self._planned(commune.code, day, kind, len(programme.items))
            for item in programme.items:
                if item.end <= now or item.start >= until:
                    continue
                bulletin = bulletins[item.bulletin_id]
                items.append(
                    {
                        "item_id": f"{item.bulletin_id}:{_iso(item.start)}",
                        "bulletin_id": item.bulletin_id,
                        "start": _iso(item.start),
                        "end": _iso(item.end),
                        "duration_s": item.duration_s,
                        "priority": str(item.priority),
                        "title": item.title,
                        "text": bulletin.body,
                        "media": media.for_item(bulletin, commune.code, kind) if media else None,
                    }
                )
            day += timedelta(days=1)
        content = manifest_bytes({"unit": commune.code, "kind": kind, "items": items})
        return {
            "schema": 1,
            "unit": commune.code,
            "kind": kind,
            # Same programme, same version: devices skip what they already hold.
            "version": hashlib.sha256(content).hexdigest()[:16],
            "generated_at": _iso(now),
            "valid_from": _iso(now),
            "valid_until": _iso(until),
            "items": items,
        }

    def _communes(self, codes: Iterable[str]) -> list[AdminUnit]:
        found: dict[str, AdminUnit] = {}
        for code in codes:
            for commune in self._units.communes_under(code):
                found[commune.code] = commune
        return [found[code] for code in sorted(found)]


def _iso(moment: datetime) -> str:
    return moment.astimezone(local_zone()).isoformat(timespec="seconds")
