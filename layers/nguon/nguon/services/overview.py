"""A unit's overview for the console's first page, in one answer and from queries only (no
scan): the area's devices (one listing query), alarms (the devices' own open-alarm mark),
emergencies of the day and bulletins awaiting the caller (the area's bulletin listing), and
the day's plays against the programme (counters per commune, see
:mod:`nguon.storage.daily_counts`)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from nguon import clock
from nguon.models.bulletins import Bulletin, Priority
from nguon.models.devices import Device
from nguon.models.overview import (
    NEWEST_MAX,
    AlarmBrief,
    AlarmsOverview,
    BulletinBrief,
    BulletinsOverview,
    CommuneDay,
    DevicesOverview,
    PlaysOverview,
    UnitDevices,
    UnitOverview,
    UnitPlays,
)
from nguon.models.principal import Principal
from nguon.models.units import AdminUnit, UnitLevel
from nguon.services.access import Permission, authorize, permissions_of
from nguon.services.bulletins import BulletinService
from nguon.services.units import UnitService

BULLETINS_READ_MAX = 100
"""Bulletins read per list (the search reads on past filtered-out ones, a little)."""


class AreaDevices(Protocol):
    def in_subtree(self, path: Sequence[str]) -> list[Device]: ...


class DailyCounts(Protocol):
    def of_day(self, communes: Iterable[str], day: date) -> dict[str, CommuneDay]: ...


class OverviewService:
    def __init__(
        self,
        units: UnitService,
        devices: AreaDevices,
        counts: DailyCounts,
        bulletins: BulletinService,
        now: clock.Clock = clock.now,
    ) -> None:
        self._units = units
        self._devices = devices
        self._counts = counts
        self._bulletins = bulletins
        self._now = now

    def overview(self, principal: Principal, code: str) -> UnitOverview:
        where = self._units.require(code)
        authorize(principal, Permission.DEVICES_READ, where)
        moment = self._now()
        today = moment.date()
        devices = self._devices.in_subtree([*where.ancestors, where.code])
        parts = self._parts(where)
        return UnitOverview(
            unit=where.code,
            name=where.name,
            level=where.level,
            day=today,
            generated_at=moment,
            devices=_by_unit(where, parts, devices),
            alarms=_alarms(devices),
            emergencies_today=self._emergencies(principal, where, moment),
            awaiting_approval=self._awaiting(principal, where, moment),
            plays_today=self._plays(where, parts, devices, moment),
        )

    def _parts(self, where: AdminUnit) -> list[AdminUnit]:
        """The areas the overview lists: the unit's children (its own self for a commune)."""
        parts = [where] if where.level is UnitLevel.COMMUNE else self._units.children(where.code)
        return sorted(parts, key=lambda unit: unit.code)

    def _emergencies(
        self, principal: Principal, where: AdminUnit, moment: datetime
    ) -> BulletinsOverview:
        if Permission.BULLETINS_READ not in permissions_of(principal):
            return BulletinsOverview(count=0, items=[])
        found, cursor = self._bulletins.search(
            principal,
            unit=where.code,
            priority=Priority.EMERGENCY,
            start=moment.date(),
            end=moment.date(),
            limit=BULLETINS_READ_MAX,
        )
        return _listed(found, moment, more=cursor is not None)

    def _awaiting(
        self, principal: Principal, where: AdminUnit, moment: datetime
    ) -> BulletinsOverview:
        if Permission.BULLETINS_APPROVE not in permissions_of(principal):
            return BulletinsOverview(count=0, items=[])
        mine = self._bulletins.awaiting_approval(principal, where.code)
        return _listed(mine, moment, more=False)

    def _plays(
        self, where: AdminUnit, parts: list[AdminUnit], devices: list[Device], moment: datetime
    ) -> PlaysOverview:
        """Played and planned per listed area, from the communes' day counters (one batch
        read): a commune's played counter belongs to the area its devices lie in."""
        counts = self._counts.of_day(sorted({device.unit for device in devices}), moment.date())
        played = {part.code: 0 for part in parts}
        planned = dict(played)
        area_of_commune: dict[str, str | None] = {}
        for device in devices:
            area = _area(where, device)
            area_of_commune[device.unit] = area
            if area is not None and area in planned:
                per_device = counts[device.unit].planned or {}
                planned[area] += per_device.get(str(device.kind), 0)
        for commune, count in counts.items():
            area = area_of_commune.get(commune)
            if area is not None and area in played:
                played[area] += count.played
        return PlaysOverview(
            played=sum(count.played for count in counts.values()),
            planned=sum(planned.values()),
            by_unit=[
                UnitPlays(
                    code=part.code,
                    name=part.name,
                    played=played[part.code],
                    planned=planned[part.code],
                )
                for part in parts
            ],
        )


def _area(where: AdminUnit, device: Device) -> str | None:
    """The listed area a device of ``where``'s subtree lies in (its path holds the child's
    code just below ``where``; a commune lists itself)."""
    if where.level is UnitLevel.COMMUNE:
        return device.unit
    return _at(device.path, len(where.ancestors) + 1)


def _by_unit(where: AdminUnit, parts: list[AdminUnit], devices: list[Device]) -> DevicesOverview:
    mine: dict[str, list[Device]] = {part.code: [] for part in parts}
    for device in devices:
        key = _area(where, device)
        if key is not None and key in mine:
            mine[key].append(device)
    by_unit = []
    for part in parts:
        found = mine[part.code]
        by_unit.append(
            UnitDevices(
                code=part.code,
                name=part.name,
                online=sum(device.online for device in found),
                total=len(found),
                lat=_mean([device.location.lat for device in found]),
                lon=_mean([device.location.lon for device in found]),
            )
        )
    return DevicesOverview(
        online=sum(device.online for device in devices), total=len(devices), by_unit=by_unit
    )


def _at(path: Sequence[str], index: int) -> str | None:
    return path[index] if len(path) > index else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 6) if values else None


def _alarms(devices: list[Device]) -> AlarmsOverview:
    alarmed = sorted(
        (device for device in devices if device.alarm_opened_at is not None),
        key=lambda device: (device.alarm_opened_at, device.thing),
        reverse=True,
    )
    return AlarmsOverview(
        open=len(alarmed),
        newest=[
            AlarmBrief(
                thing=device.thing,
                name=device.name,
                unit=device.unit,
                device_kind=device.kind,
                opened_at=device.alarm_opened_at,
            )
            for device in alarmed[:NEWEST_MAX]
            if device.alarm_opened_at is not None
        ],
    )


def _listed(bulletins: list[Bulletin], moment: datetime, *, more: bool) -> BulletinsOverview:
    items = []
    for bulletin in bulletins[:NEWEST_MAX]:
        valid_from, valid_until = bulletin.validity()
        items.append(
            BulletinBrief(
                id=bulletin.id,
                title=bulletin.title,
                priority=bulletin.priority,
                status=bulletin.status_at(moment),
                issuer_unit=bulletin.issuer_unit,
                targets=list(bulletin.targets),
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
    return BulletinsOverview(count=len(bulletins), items=items, more=more)
