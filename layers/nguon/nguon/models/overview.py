"""A unit's overview (tổng quan): what the console's first page shows for the caller's unit, in
one answer: devices online by district or commune, open alarms, today's emergencies, the
bulletins waiting for the caller's approval, and today's plays against the programme."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from nguon.models.bulletins import Priority, Status
from nguon.models.devices import DeviceKind, LocalTime
from nguon.models.units import UnitCode, UnitLevel

NEWEST_MAX = 10
"""Alarms and bulletins listed in full (the counts cover them all)."""


@dataclass(frozen=True)
class CommuneDay:
    """One commune's counters of a day (:mod:`nguon.storage.daily_counts`)."""

    played: int = 0
    planned: Mapping[str, int] | None = None
    """Planned plays per device of each kind (``speaker``, ``board``)."""


class UnitDevices(BaseModel):
    """Active devices of one child unit's area (a district of the province, a commune of a
    district; a commune's own)."""

    code: UnitCode
    name: str
    online: int
    total: int
    lat: float | None = None
    lon: float | None = None
    """The mean position of its devices, for a marker on the map (``null`` without devices)."""


class DevicesOverview(BaseModel):
    online: int
    total: int
    by_unit: list[UnitDevices]


class AlarmBrief(BaseModel):
    thing: str
    name: str
    unit: UnitCode
    device_kind: DeviceKind
    opened_at: LocalTime


class AlarmsOverview(BaseModel):
    open: int
    newest: list[AlarmBrief]
    """The most recently opened, at most ten."""


class BulletinBrief(BaseModel):
    id: str
    title: str
    priority: Priority
    status: Status
    issuer_unit: UnitCode
    targets: list[UnitCode]
    valid_from: LocalTime
    valid_until: LocalTime


class BulletinsOverview(BaseModel):
    count: int
    items: list[BulletinBrief]
    more: bool = False
    """More may exist than were read (the list stops after a bounded read)."""


class UnitPlays(BaseModel):
    """Today's plays of one child unit's area (as :class:`UnitDevices` lists them)."""

    code: UnitCode
    name: str
    played: int
    planned: int


class PlaysOverview(BaseModel):
    played: int
    """Proof-of-play records of today with result ``ok``, from the devices of the area."""
    planned: int
    """Plays the area's devices have in today's programme (each commune's items on a device's
    channel, times its devices of that kind), as the programme last delivered stands."""
    by_unit: list[UnitPlays] = []
    """The same per district (province) or commune (district, commune), in the order of
    ``devices.by_unit``: the overview's chart, from the same counters."""


class UnitOverview(BaseModel):
    unit: UnitCode
    name: str
    level: UnitLevel
    day: date
    generated_at: LocalTime
    devices: DevicesOverview
    alarms: AlarmsOverview
    emergencies_today: BulletinsOverview
    awaiting_approval: BulletinsOverview
    """Pending bulletins the caller may approve (empty for a caller who approves nothing)."""
    plays_today: PlaysOverview
