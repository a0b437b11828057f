"""Devices (thiết bị): IP loudspeaker clusters and LED/LCD boards as registered, and the
monitoring state telemetry keeps on each.

What devices report, the alarms and statistics staff read, and changes of the monitoring state
are in :mod:`nguon.models.monitoring`; the commands staff send in
:mod:`nguon.models.device_commands`.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from nguon.clock import localize
from nguon.models.bulletins import Actor, Channel
from nguon.models.units import UnitCode

THING_PATTERN = r"^[A-Za-z0-9:_-]{1,128}$"
"""AWS IoT thing names (and our MQTT client ids): letters, digits, ``:``, ``_``, ``-``."""

ThingName = Annotated[str, StringConstraints(pattern=THING_PATTERN)]
LocalTime = Annotated[datetime, AfterValidator(localize)]
"""Any time in and out of the domain: aware, in the local zone (naive input is local time)."""

HEARTBEAT_S = 60
"""A device's heartbeat interval unless its ``config`` shadow reports another."""


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class DeviceKind(StrEnum):
    SPEAKER = "speaker"
    """An IP loudspeaker cluster (cụm loa): plays the speaker channel."""
    BOARD = "board"
    """A public LED/LCD board (bảng tin điện tử): shows the board channel."""

    @property
    def channel(self) -> Channel:
        return Channel.SPEAKER if self is DeviceKind.SPEAKER else Channel.BOARD


class DeviceStatus(StrEnum):
    ACTIVE = "active"
    DECOMMISSIONED = "decommissioned"
    """Taken out of service: its certificate is revoked, lists hide it, telemetry is ignored."""


Power = Literal["on", "off"]

LAT_RANGE = (6.0, 24.0)
LON_RANGE = (102.0, 118.0)
"""Vietnam's land from Lũng Cú to Cà Mau, and its islands out to Trường Sa, roughly."""


class Location(BaseModel):
    """Where a device stands (WGS 84 degrees)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # The bounds are checked together below (one message naming both); stated here per field
    # so that the OpenAPI document shows them.
    lat: float = Field(
        allow_inf_nan=False,
        json_schema_extra={"minimum": LAT_RANGE[0], "maximum": LAT_RANGE[1]},
    )
    lon: float = Field(
        allow_inf_nan=False,
        json_schema_extra={"minimum": LON_RANGE[0], "maximum": LON_RANGE[1]},
    )

    @model_validator(mode="after")
    def _in_vietnam(self) -> "Location":
        if not (
            LAT_RANGE[0] <= self.lat <= LAT_RANGE[1] and LON_RANGE[0] <= self.lon <= LON_RANGE[1]
        ):
            raise PydanticCustomError(
                "location_outside_vietnam",
                "({lat}, {lon}) is not in Vietnam",
                {"lat": self.lat, "lon": self.lon},
            )
        return self


class DeviceRegistration(BaseModel):
    """``POST /devices``: a new device in a commune (provisioning creates its thing)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DeviceKind
    unit: UnitCode
    """The commune the device serves."""
    name: Text
    location: Location
    vendor: Label
    model: Label
    speakers: int = Field(default=1, ge=0, le=64)
    """Horns in a loudspeaker cluster (0 for a board without sound)."""


class Playing(BaseModel):
    """What a device plays now, as it last said."""

    model_config = ConfigDict(frozen=True)

    bulletin_id: str
    play_id: str | None = None
    started_at: LocalTime
    emergency: bool = False


def path_of(unit_code: str, ancestors: tuple[str, ...] | list[str]) -> list[str]:
    """A device's unit path: the codes from the root down to its commune."""
    return [*ancestors, unit_code]


class Device(BaseModel):
    """One device as stored: its registration, and the monitoring state telemetry keeps."""

    model_config = ConfigDict(frozen=True)

    thing: ThingName
    kind: DeviceKind
    unit: UnitCode
    path: Annotated[list[UnitCode], Field(min_length=1)]
    """Unit codes from the root to ``unit``, e.g. ``["52", "540", "21550"]``."""
    name: str
    location: Location
    vendor: str
    model: str
    speakers: int = 1
    created_at: LocalTime
    created_by: Actor
    status: DeviceStatus = DeviceStatus.ACTIVE
    decommissioned_at: LocalTime | None = None
    certificate_id: str | None = None

    # Monitoring state (written by telemetry only).
    online: bool = False
    last_seen: LocalTime | None = None
    """The newest heartbeat's arrival."""
    presence_version: int | None = None
    """The lifecycle ``versionNumber`` of the newest presence event applied."""
    presence_event: Literal["connected", "disconnected"] | None = None
    presence_at: LocalTime | None = None
    connected_at: LocalTime | None = None
    disconnected_at: LocalTime | None = None
    alarm_opened_at: LocalTime | None = None
    """The open offline alarm (set exactly while one is open)."""
    heartbeat_s: int = HEARTBEAT_S
    volume: int | None = None
    power: Power | None = None
    brightness: int | None = None
    playing: Playing | None = None
    playing_at: LocalTime | None = None
    """The device's own time of the heartbeat ``playing`` came from: with ``playing_seq``,
    what orders reports of starts and stops (a late one never overwrites a newer one)."""
    playing_seq: int | None = None
    firmware: str | None = None
    temperature_c: float | None = None
    signal_dbm: float | None = None
    errors: list[str] = Field(default_factory=list)
    uptime_s: int | None = None
    config_reported_at: LocalTime | None = None
    health_reported_at: LocalTime | None = None

    @property
    def presence_order(self) -> int | None:
        if self.presence_version is None or self.presence_event is None:
            return None
        return presence_order(self.presence_version, self.presence_event)

    def silent_since(self) -> datetime:
        """The last sign of life: the newest heartbeat or connection."""
        signs = [moment for moment in (self.last_seen, self.connected_at) if moment is not None]
        return max(signs, default=self.created_at)


def presence_order(version: int, event: str) -> int:
    """Lifecycle events in order: by ``versionNumber``, and within one connection (whose two
    events share the number) the disconnect after the connect."""
    return version * 2 + (1 if event == "disconnected" else 0)


class DeviceView(BaseModel):
    """What the API shows of a device."""

    thing: str
    kind: DeviceKind
    unit: UnitCode
    path: list[UnitCode]
    name: str
    location: Location
    vendor: str
    model: str
    speakers: int
    status: DeviceStatus
    online: bool
    last_seen: LocalTime | None
    connected_at: LocalTime | None
    disconnected_at: LocalTime | None
    alarm_open: bool
    volume: int | None
    power: Power | None
    brightness: int | None
    playing: Playing | None
    firmware: str | None
    temperature_c: float | None
    signal_dbm: float | None
    errors: list[str]
    uptime_s: int | None
    heartbeat_s: int
    created_at: LocalTime
    decommissioned_at: LocalTime | None

    @classmethod
    def of(cls, device: Device) -> "DeviceView":
        data = device.model_dump(include=set(cls.model_fields) - {"alarm_open"})
        return cls.model_validate({**data, "alarm_open": device.alarm_opened_at is not None})


class DevicePage(BaseModel):
    items: list[DeviceView]
    next: str | None = None
    """Pass as ``next`` for the following page; absent on the last one."""


class KindCount(BaseModel):
    online: int = 0
    total: int = 0


class DeviceSummary(BaseModel):
    """``GET /units/{code}/devices/summary``: active devices in the unit's area."""

    unit: UnitCode
    online: int
    total: int
    kinds: dict[DeviceKind, KindCount]
