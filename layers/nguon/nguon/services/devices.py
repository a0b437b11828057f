"""Devices as staff see and steer them: lists, one device, commands, plays, alarms, the
summary of an area and per-station statistics.

Every action checks the permission on the device's unit (its commune) or on the unit asked
about: ``devices:read`` to look, ``devices:manage`` to command.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol

from nguon import clock
from nguon.adapters.iot import CONFIG_SHADOW, IotDataPlane, command_topic
from nguon.errors import Conflict, InvalidInput, NotFound, Unavailable
from nguon.models.bulletins import Actor, Channel
from nguon.models.device_commands import (
    SHADOW_COMMANDS,
    CommandName,
    CommandRecord,
    CommandRequest,
    CommandStatus,
)
from nguon.models.devices import Device, DeviceKind, DeviceStatus, DeviceSummary, KindCount
from nguon.models.monitoring import (
    RANGE_DAYS_MAX,
    Alarm,
    DeviceUpdate,
    PlayRecord,
    PlayResult,
    StationReport,
    StationStats,
)
from nguon.models.principal import Principal
from nguon.models.programme import Programme
from nguon.models.units import AdminUnit, UnitLevel
from nguon.observability import logger
from nguon.services.access import Permission, authorize
from nguon.services.units import UnitService

PAGE_MAX = 100


class DeviceStore(Protocol):
    """Where devices live (DynamoDB in :mod:`nguon.storage.devices`)."""

    def create(self, device: Device) -> None:
        """:class:`Conflict` (``device_exists``) if the thing is taken."""

    def get(self, thing: str) -> Device | None: ...

    def page(
        self,
        path: Sequence[str],
        *,
        kind: DeviceKind | None = None,
        online: bool | None = None,
        status: DeviceStatus | None = DeviceStatus.ACTIVE,
        limit: int = 25,
        cursor: str | None = None,
    ) -> tuple[list[Device], str | None]:
        """Devices of the subtree ``path`` (root → unit), in path order."""

    def in_subtree(self, path: Sequence[str]) -> list[Device]:
        """The active devices of a unit's area."""

    def in_units(self, units: Iterable[str]) -> list[Device]:
        """The active devices of the given communes."""

    def decommission(self, thing: str, at: datetime) -> Device: ...

    def apply(self, update: DeviceUpdate) -> bool: ...

    def alarms(
        self,
        path: Sequence[str],
        *,
        open: bool | None = None,  # the API's word
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Alarm], str | None]: ...

    def plays(self, thing: str, start: datetime, end: datetime) -> list[PlayRecord]:
        """Plays that started in ``[start, end)``, oldest first."""

    def save_command(self, record: CommandRecord) -> None: ...

    def command(self, thing: str, command_id: str) -> CommandRecord | None: ...

    def finish_command(self, record: CommandRecord) -> bool: ...


class Programmes(Protocol):
    """A commune's programme of a day (:class:`nguon.services.programmes.ProgrammeService`)."""

    def day(self, principal: Principal, code: str, day: date, channel: Channel) -> Programme: ...


class DeviceService:
    def __init__(
        self,
        units: UnitService,
        store: DeviceStore,
        iot: IotDataPlane,
        now: clock.Clock = clock.now,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
        *,
        programmes: Programmes,
        playable: Callable[[Principal, str, str], object],
    ) -> None:
        self._units = units
        self._store = store
        self._iot = iot
        self._now = now
        self._new_id = new_id
        self._programmes = programmes
        # ``BulletinService.playable``: play_now plays approved bulletins of the device's area.
        self._playable = playable

    # --- one device ------------------------------------------------------------------------

    def get(self, principal: Principal, thing: str) -> Device:
        device = self._require(thing)
        authorize(principal, Permission.DEVICES_READ, self._units.require(device.unit))
        return device

    def command(self, principal: Principal, thing: str, request: CommandRequest) -> CommandRecord:
        """Send a command: volume and power as desired state in the ``config`` shadow (done
        when the device reports the value), the others on the device's command topic (done
        when it answers). Answers the record, ``sent`` (or ``done`` if nothing changes)."""
        device = self._require(thing)
        authorize(principal, Permission.DEVICES_MANAGE, self._units.require(device.unit))
        if device.status is not DeviceStatus.ACTIVE:
            raise Conflict("device_decommissioned", thing=thing)
        if request.command is CommandName.PLAY_NOW and request.args and request.args.bulletin_id:
            self._playable(principal, request.args.bulletin_id, device.unit)
        now = self._now()
        record = CommandRecord(
            command_id=self._new_id(),
            thing=thing,
            command=request.command,
            value=request.value,
            args=request.args,
            issued_at=now,
            issued_by=Actor.of(principal),
        )
        self._store.save_command(record)
        try:
            if request.command in SHADOW_COMMANDS:
                desired = {request.command.value: request.value}
                self._iot.update_desired(thing, CONFIG_SHADOW, desired)
            else:
                self._iot.publish(command_topic(thing), record.message())
        except Exception as error:
            logger.exception("command not delivered", extra={"thing": thing})
            failed = record.finished(CommandStatus.FAILED, "not_delivered", now)
            self._store.finish_command(failed)
            raise Unavailable("command_not_delivered", thing=thing) from error
        if request.command in SHADOW_COMMANDS:
            current = getattr(device, request.command.value)
            if current == request.value:
                # The shadow sends no delta for a value the device reports already.
                done = record.finished(CommandStatus.DONE, "unchanged", now)
                if self._store.finish_command(done):
                    return done
        return record

    def command_status(self, principal: Principal, thing: str, command_id: str) -> CommandRecord:
        """A command sent to a device and what became of it: ``sent`` until the device
        reports the value (volume, power) or answers (the others), then ``done`` or
        ``failed`` with its ``outcome`` and ``reported_at``."""
        device = self.get(principal, thing)
        record = self._store.command(device.thing, command_id)
        if record is None:
            raise NotFound("command_not_found", thing=thing, command_id=command_id)
        return record

    def plays(self, principal: Principal, thing: str, start: date, end: date) -> list[PlayRecord]:
        """A device's proof of play over local days ``start``..``end`` (inclusive)."""
        device = self.get(principal, thing)
        first, after = _days(start, end)
        return self._store.plays(device.thing, first, after)

    # --- areas -----------------------------------------------------------------------------

    def alarms(
        self,
        principal: Principal,
        unit: str | None = None,
        open: bool | None = None,  # the API's word
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Alarm], str | None]:
        """Alarms of a unit's area (default: home), open or closed or both."""
        where = self._area(principal, unit)
        return self._store.alarms(
            _path(where), open=open, limit=min(limit, PAGE_MAX), cursor=cursor
        )

    def summary(self, principal: Principal, unit: str) -> DeviceSummary:
        """Online and total active devices of a unit's area, per kind."""
        where = self._area(principal, unit)
        kinds = {kind: KindCount() for kind in DeviceKind}
        for device in self._store.in_subtree(_path(where)):
            count = kinds[device.kind]
            count.total += 1
            count.online += int(device.online)
        return DeviceSummary(
            unit=where.code,
            online=sum(count.online for count in kinds.values()),
            total=sum(count.total for count in kinds.values()),
            kinds=kinds,
        )

    def stations(self, principal: Principal, unit: str, start: date, end: date) -> StationReport:
        """Each station (device) of a unit's area over local days ``start``..``end``: what its
        commune's programme asked for on its channel against what it played through."""
        where = self._area(principal, unit)
        first, after = _days(start, end)
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        programmes: dict[tuple[str, date, Channel], Programme] = {}
        stations = []
        for device in self._store.in_subtree(_path(where)):
            channel = device.kind.channel
            asked: set[str] = set()
            requested_s = 0
            for day in days:
                key = (device.unit, day, channel)
                if key not in programmes:
                    programmes[key] = self._programmes.day(principal, device.unit, day, channel)
                for item in programmes[key].items:
                    asked.add(item.bulletin_id)
                    requested_s += item.duration_s
            played = [
                play
                for play in self._store.plays(device.thing, first, after)
                if play.result is PlayResult.OK
            ]
            play_s = round(sum(play.duration_s for play in played))
            commune = self._units.require(device.unit)
            district = self._district(commune)
            stations.append(
                StationStats(
                    station=device.thing,
                    name=device.name,
                    kind=device.kind,
                    speakers=device.speakers,
                    district=district.code if district else None,
                    district_name=district.name if district else None,
                    commune=commune.code,
                    commune_name=commune.name,
                    lat=device.location.lat,
                    lon=device.location.lon,
                    bulletins_total=len(asked),
                    played_ok=len({play.bulletin_id for play in played}),
                    emergency=len({play.bulletin_id for play in played if play.emergency}),
                    play_time_s=play_s,
                    requested_time_s=requested_s,
                    ratio=round(play_s / requested_s, 3) if requested_s else None,
                )
            )
        stations.sort(key=lambda s: (s.district or "", s.commune, s.station))
        return StationReport(unit=where.code, start=start, end=end, stations=stations)

    # --- plumbing --------------------------------------------------------------------------

    def _require(self, thing: str) -> Device:
        device = self._store.get(thing)
        if device is None:
            raise NotFound("device_not_found", thing=thing)
        return device

    def _area(self, principal: Principal, unit: str | None) -> AdminUnit:
        where = self._units.require(unit or principal.home_unit)
        authorize(principal, Permission.DEVICES_READ, where)
        return where

    def _district(self, commune: AdminUnit) -> AdminUnit | None:
        for code in commune.ancestors:
            ancestor = self._units.find(code)
            if ancestor is not None and ancestor.level is UnitLevel.DISTRICT:
                return ancestor
        return None

    # Last, so that ``list`` in the annotations above is still the builtin.
    def list(
        self,
        principal: Principal,
        unit: str | None = None,
        kind: DeviceKind | None = None,
        online: bool | None = None,
        limit: int = 25,
        cursor: str | None = None,
        status: DeviceStatus | None = DeviceStatus.ACTIVE,
    ) -> tuple[list[Device], str | None]:
        """A page of the devices of a unit's area (default: home); decommissioned ones only
        when asked for by ``status``."""
        where = self._area(principal, unit)
        return self._store.page(
            _path(where),
            kind=kind,
            online=online,
            status=status,
            limit=min(limit, PAGE_MAX),
            cursor=cursor,
        )


def _path(unit: AdminUnit) -> list[str]:
    return [*unit.ancestors, unit.code]


def _days(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days ``start``..``end`` as ``[first moment, moment after)``, at most a month."""
    if end < start:
        raise InvalidInput("range_ends_before_start", start=start, end=end)
    if (end - start).days + 1 > RANGE_DAYS_MAX:
        raise InvalidInput("range_too_long", limit=RANGE_DAYS_MAX)
    first = clock.localize(datetime.combine(start, time()))
    after = clock.localize(datetime.combine(end + timedelta(days=1), time()))
    return first, after
