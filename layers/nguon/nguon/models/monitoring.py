"""Monitoring (giám sát): what devices report (telemetry as the IoT rules hand it over), the
proof of play, the offline alarms and station statistics staff read.

The monitoring state of a device (online, last seen, volume, what plays...) is written only by
telemetry (``nguon.services.monitoring``); the API reads it. Every change of that state is a
:class:`DeviceUpdate` applied on a condition that the device is still as it was read, so late,
repeated and concurrent events change nothing twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
)

from nguon.clock import localize
from nguon.models.devices import (
    Device,
    DeviceKind,
    LocalTime,
    Playing,
    Power,
    ThingName,
    presence_order,
)
from nguon.models.units import UnitCode

MISSED_HEARTBEATS = 3
"""An online device silent for this many intervals is offline (and an alarm opens)."""
PRESENCE_RESET = timedelta(minutes=50)
"""AWS resets a client's lifecycle ``versionNumber`` to 0 after about an hour offline: a presence
event this much newer than the last one counts even with a lower version."""
PLAYS_MAX = 50
RANGE_DAYS_MAX = 31
"""Longest range of days for plays and station statistics."""


def _from_epoch_ms(value: object) -> object:
    """IoT rule ``timestamp()`` and lifecycle ``timestamp``: milliseconds since the epoch."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    return value


EpochMs = Annotated[datetime, BeforeValidator(_from_epoch_ms), AfterValidator(localize)]


class PlayResult(StrEnum):
    OK = "ok"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    SKIPPED = "skipped"


class PlayRecord(BaseModel):
    """One proof of play: a device says it played (or did not play) a bulletin."""

    model_config = ConfigDict(frozen=True)

    thing: str
    unit: UnitCode
    play_id: str
    bulletin_id: str
    started_at: LocalTime
    ended_at: LocalTime
    result: PlayResult
    reason: str | None = None
    emergency: bool = False
    requested_s: float | None = None
    received_at: LocalTime | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form
    @property
    def duration_s(self) -> float:
        return max(0.0, (self.ended_at - self.started_at).total_seconds())


class AlarmKind(StrEnum):
    OFFLINE = "offline"


class Alarm(BaseModel):
    """A device out of contact: opened when it goes offline, closed when it is back. One per
    outage, opened and closed in the same transaction as the device's change of state."""

    model_config = ConfigDict(frozen=True)

    thing: str
    unit: UnitCode
    path: list[UnitCode]
    name: str
    device_kind: DeviceKind
    kind: AlarmKind = AlarmKind.OFFLINE
    reason: str
    """``missed_heartbeats``, or the broker's ``disconnectReason`` (``CONNECTION_LOST``...)."""
    opened_at: LocalTime
    closed_at: LocalTime | None = None
    open: bool = True

    @classmethod
    def of(cls, device: "Device", opened_at: datetime, reason: str) -> "Alarm":
        """The alarm of ``device``'s outage that began at ``opened_at``."""
        return cls(
            thing=device.thing,
            unit=device.unit,
            path=device.path,
            name=device.name,
            device_kind=device.kind,
            reason=reason,
            opened_at=opened_at,
        )

    def closed(self, at: datetime) -> "Alarm":
        return self.model_copy(update={"open": False, "closed_at": localize(at)})


class AlarmPage(BaseModel):
    items: list[Alarm]
    next: str | None = None


class StationStats(BaseModel):
    """One station (a device) over a range of days: its programme against its proof of play."""

    station: str
    """The station code: the device's thing name."""
    name: str
    kind: DeviceKind
    speakers: int
    district: UnitCode | None
    district_name: str | None
    commune: UnitCode
    commune_name: str
    lat: float
    lon: float
    bulletins_total: int
    """Distinct bulletins in the commune's programme (the device's channel) on those days."""
    played_ok: int
    """Distinct bulletins the device played through (result ``ok``)."""
    emergency: int
    """Distinct emergency bulletins it played through."""
    play_time_s: int
    requested_time_s: int
    """The programme's time on air on those days."""
    ratio: float | None
    """``play_time_s / requested_time_s``; ``null`` when nothing was asked for."""


class StationReport(BaseModel):
    unit: UnitCode
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    stations: list[StationStats]


# --- telemetry as the IoT rules hand it over (see nguon.services.monitoring) ---------------


class TelemetryEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    thing: ThingName
    received_at: EpochMs | None = None
    """The rule's ``timestamp()``; the function's clock when absent."""


class HeartbeatEvent(TelemetryEvent):
    seq: int = Field(ge=0)
    sent_at: datetime
    uptime_s: int = Field(ge=0)
    playing: Playing | None = None


class PlayIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    play_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    bulletin_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    started_at: LocalTime
    ended_at: LocalTime
    result: PlayResult
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None
    emergency: bool = False
    requested_s: float | None = Field(default=None, ge=0)


class PlaysEvent(TelemetryEvent):
    records: Annotated[list[PlayIn], Field(min_length=1, max_length=PLAYS_MAX)]


class CommandResultEvent(TelemetryEvent):
    command_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    status: Literal["done", "failed"]
    detail: Annotated[str, StringConstraints(max_length=500)] | None = None
    at: LocalTime


class ShadowReportEvent(TelemetryEvent):
    shadow: Literal["health", "config"]
    reported: dict[str, Any] | None = None
    """Absent when the cloud updated ``desired`` only."""


class ConfigReport(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    volume: int | None = Field(default=None, ge=0, le=100)
    power: Power | None = None
    brightness: int | None = Field(default=None, ge=0, le=100)
    heartbeat_s: int | None = Field(default=None, ge=10, le=3600)


class HealthReport(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    firmware: Annotated[str, StringConstraints(max_length=64)] | None = None
    uptime_s: int | None = Field(default=None, ge=0)
    temperature_c: float | None = None
    signal_dbm: float | None = None
    errors: (
        Annotated[list[Annotated[str, StringConstraints(max_length=200)]], Field(max_length=20)]
        | None
    ) = None
    current_item: Playing | None = None
    volume: int | None = Field(default=None, ge=0, le=100)
    power: Power | None = None


class PresenceEvent(BaseModel):
    """AWS IoT's lifecycle event (``$aws/events/presence/{connected|disconnected}/{clientId}``);
    our devices connect with their thing name as client id."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    thing: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(alias="clientId")
    timestamp: EpochMs
    event_type: Literal["connected", "disconnected"] = Field(alias="eventType")
    version: int = Field(alias="versionNumber", ge=0)
    session: str | None = Field(default=None, alias="sessionIdentifier")
    principal: str | None = Field(default=None, alias="principalIdentifier")
    ip_address: str | None = Field(default=None, alias="ipAddress")
    client_initiated: bool | None = Field(default=None, alias="clientInitiatedDisconnect")
    disconnect_reason: str | None = Field(default=None, alias="disconnectReason")

    @property
    def order(self) -> int:
        return presence_order(self.version, self.event_type)


# --- a change of monitoring state, for the store ---------------------------------------------


@dataclass(frozen=True)
class PresenceGuard:
    """Apply only if the stored presence is older: a lower order, or a time before
    ``reset_before`` (the version numbers started again)."""

    order: int
    reset_before: datetime


@dataclass(frozen=True)
class PlayingGuard:
    """Apply only if the stored ``playing`` came from an older report: ``(playing_at,
    playing_seq)`` before ``(at, seq)``, the device's own time and heartbeat number."""

    at: datetime
    seq: int


@dataclass(frozen=True)
class DeviceUpdate:
    """A change of one device's monitoring state, applied in one transaction only if the device
    still exists, is active and is as it was read; the alarm it opens or closes goes with it."""

    thing: str
    online: bool
    """The ``online`` the change was decided on; the change requires it still."""
    changes: Mapping[str, Any]
    """Device fields and their new values (``None`` removes)."""
    older: Mapping[str, datetime] = field(default_factory=dict)
    """Each of these fields must be absent or earlier than the time given."""
    unchanged: Mapping[str, Any] = field(default_factory=dict)
    """Each of these fields must still have this value (``None``: still absent)."""
    presence: PresenceGuard | None = None
    playing: PlayingGuard | None = None
    opens: Alarm | None = None
    """Must not exist yet."""
    closes: Alarm | None = None
    """Must still be open."""
