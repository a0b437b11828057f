"""Devices (thiết bị): IP loudspeaker clusters and LED/LCD boards, what they report, what they
are told, and the alarms and statistics staff read.

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
    StrictInt,
    StringConstraints,
    computed_field,
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


class CommandName(StrEnum):
    VOLUME = "volume"
    POWER = "power"
    REBOOT = "reboot"
    PLAY_NOW = "play_now"
    STOP = "stop"


SHADOW_COMMANDS = frozenset({CommandName.VOLUME, CommandName.POWER})
"""Desired state in the ``config`` shadow; the others travel on the command topic."""


class PlayNowArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bulletin_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    text: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
        | None
    ) = None
    """Refused in requests since issue 11 (only approved bulletins play at once); kept so
    commands stored before still read back."""


def _one_command(command: str | list[str], **properties: dict) -> dict:
    """The shape of one command in the OpenAPI document (``oneOf`` of CommandRequest)."""
    name = {"enum": command} if isinstance(command, list) else {"const": command}
    return {
        "type": "object",
        "properties": {"command": name, **properties},
        "required": ["command", *properties],
        "additionalProperties": False,
    }


_ONE_OF_TEXT_OR_ID = {
    "type": "object",
    "anyOf": [
        {"required": ["bulletin_id"], "properties": {"bulletin_id": {"type": "string"}}},
        {"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}},
    ],
}


class CommandRequest(BaseModel):
    """``POST /devices/{thing}/commands``: ``{"command": "volume", "value": 70}``,
    ``{"command": "power", "value": "off"}``, ``{"command": "reboot"}``,
    ``{"command": "play_now", "args": {"bulletin_id": "..."}}`` (an approved bulletin of the
    device's area, valid now) or ``{"command": "stop"}``."""

    # What each command takes is checked below; the document states it as oneOf the shapes.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "oneOf": [
                _one_command("volume", value={"type": "integer", "minimum": 0, "maximum": 100}),
                _one_command("power", value={"enum": ["on", "off"]}),
                _one_command(["reboot", "stop"]),
                _one_command("play_now", args=_ONE_OF_TEXT_OR_ID),
            ]
        },
    )

    command: CommandName
    value: StrictInt | str | None = None
    args: PlayNowArgs | None = None

    @model_validator(mode="after")
    def _per_command(self) -> "CommandRequest":
        command = self.command
        if command is CommandName.VOLUME:
            if not (isinstance(self.value, int) and 0 <= self.value <= 100):
                raise PydanticCustomError(
                    "command_value",
                    "the {command} command needs a value: {expected}",
                    {"command": command.value, "expected": "0–100"},
                )
        elif command is CommandName.POWER:
            if self.value not in ("on", "off"):
                raise PydanticCustomError(
                    "command_value",
                    "the {command} command needs a value: {expected}",
                    {"command": command.value, "expected": "on | off"},
                )
        elif self.value is not None:
            raise PydanticCustomError(
                "command_takes_no_value",
                "the {command} command takes no value",
                {"command": command.value},
            )
        if command is CommandName.PLAY_NOW:
            # Only approved bulletins play at once: free text would pass the editor and the
            # approver (``text`` stays in the record model for commands already stored).
            if self.args is not None and self.args.text is not None:
                raise PydanticCustomError(
                    "play_now_text_refused", "play_now plays an approved bulletin, not free text"
                )
            if self.args is None or self.args.bulletin_id is None:
                raise PydanticCustomError(
                    "play_now_needs_content", "play_now needs args.bulletin_id"
                )
        elif self.args is not None:
            raise PydanticCustomError(
                "command_takes_no_args",
                "the {command} command takes no args",
                {"command": command.value},
            )
        return self


class CommandStatus(StrEnum):
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"


class CommandRecord(BaseModel):
    """A command as issued, and what became of it."""

    model_config = ConfigDict(frozen=True)

    command_id: str
    thing: str
    command: CommandName
    value: int | str | None = None
    args: PlayNowArgs | None = None
    status: CommandStatus = CommandStatus.SENT
    issued_at: LocalTime
    issued_by: Actor
    outcome: str | None = None
    """The device's ``detail``, ``reported`` (a shadow report showed the value), ``unchanged``
    (it already had it), ``superseded`` (a later command replaced it) or why it failed."""
    reported_at: LocalTime | None = None

    def message(self) -> dict[str, Any]:
        """The ``command.json`` message for the command topic (reboot, play_now, stop)."""
        message: dict[str, Any] = {
            "command_id": self.command_id,
            "command": self.command.value,
            "issued_at": self.issued_at.isoformat(),
        }
        if self.args is not None:
            message["args"] = self.args.model_dump(exclude_none=True)
        return message

    def finished(self, status: CommandStatus, outcome: str | None, at: datetime) -> "CommandRecord":
        return self.model_copy(
            update={"status": status, "outcome": outcome, "reported_at": localize(at)}
        )


class KindCount(BaseModel):
    online: int = 0
    total: int = 0


class DeviceSummary(BaseModel):
    """``GET /units/{code}/devices/summary``: active devices in the unit's area."""

    unit: UnitCode
    online: int
    total: int
    kinds: dict[DeviceKind, KindCount]


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
    opens: Alarm | None = None
    """Must not exist yet."""
    closes: Alarm | None = None
    """Must still be open."""
