"""Devices in DynamoDB, as items: the device, its commune's pointer to it, its alarms, plays
and commands, and their conversion to and from the models.

Key patterns (single table; ``<utc>`` is ``YYYY-MM-DDTHH:MM:SS.mmmZ``):

- device: PK ``DEVICE#<thing>`` SK ``DEVICE``; GSI1PK ``DEVICES`` GSI1SK
  ``<path joined by "/">/<thing>`` (``52/540/21550/spk-21550-01``): a subtree is one
  ``begins_with`` query (``52/540/``);
- an active device of a commune: PK ``UNIT#<commune>`` SK ``DEVICE#<thing>`` (written with the
  device, deleted when it is decommissioned);
- an alarm: PK ``DEVICE#<thing>`` SK ``ALARM#<opened_at utc>``; GSI1PK ``ALARMS`` GSI1SK
  ``<path>/<opened_at utc>/<thing>``;
- a proof of play: PK ``DEVICE#<thing>`` SK ``PLAY#<started_at utc>#<play_id>`` (put once);
- a command: PK ``DEVICE#<thing>`` SK ``COMMAND#<command_id>``.

The store that reads and writes them is :class:`nguon.storage.devices.DynamoDeviceStore`.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.constants import STRING

from nguon.models.devices import Device, DeviceKind
from nguon.models.monitoring import Alarm, AlarmKind, PlayRecord
from nguon.storage.table import Gsi1, TableItem, string_list, table_meta

_DEVICE = "DEVICE"
_DEVICES = "DEVICES"
_ALARMS = "ALARMS"


def utc_key(moment: datetime) -> str:
    """A time in a sort key: UTC, milliseconds, sortable as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def listing_key(path: Sequence[str]) -> str:
    """The GSI1 prefix of a subtree: ``52/540/`` (every device below 540, and 540's own)."""
    return "".join(f"{code}/" for code in path)


class JsonAttribute(Attribute[Any]):
    """A nested value (location, what plays, an actor) as one JSON string."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="json")
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def deserialize(self, value: str) -> Any:
        return json.loads(value)


class DeviceItem(TableItem):
    """PK ``DEVICE#<thing>``  SK ``DEVICE``  GSI1PK ``DEVICES``  GSI1SK ``<path>/<thing>``."""

    Meta = table_meta()

    thing = UnicodeAttribute()
    kind = UnicodeAttribute()
    unit = UnicodeAttribute()
    path = string_list()
    name = UnicodeAttribute()
    location = JsonAttribute()
    vendor = UnicodeAttribute()
    model = UnicodeAttribute()
    speakers = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = JsonAttribute()
    status = UnicodeAttribute()
    decommissioned_at = UTCDateTimeAttribute(null=True)
    certificate_id = UnicodeAttribute(null=True)
    online = BooleanAttribute()
    last_seen = UTCDateTimeAttribute(null=True)
    presence_version = NumberAttribute(null=True)
    presence_event = UnicodeAttribute(null=True)
    presence_at = UTCDateTimeAttribute(null=True)
    presence_order = NumberAttribute(null=True)
    """``versionNumber × 2`` (+1 for a disconnect): what the presence condition compares."""
    connected_at = UTCDateTimeAttribute(null=True)
    disconnected_at = UTCDateTimeAttribute(null=True)
    alarm_opened_at = UTCDateTimeAttribute(null=True)
    heartbeat_s = NumberAttribute()
    volume = NumberAttribute(null=True)
    power = UnicodeAttribute(null=True)
    brightness = NumberAttribute(null=True)
    playing = JsonAttribute(null=True)
    playing_at = UTCDateTimeAttribute(null=True)
    playing_seq = NumberAttribute(null=True)
    firmware = UnicodeAttribute(null=True)
    temperature_c = NumberAttribute(null=True)
    signal_dbm = NumberAttribute(null=True)
    errors = string_list(null=True)
    uptime_s = NumberAttribute(null=True)
    config_reported_at = UTCDateTimeAttribute(null=True)
    health_reported_at = UTCDateTimeAttribute(null=True)
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    listing = Gsi1()


_FIELDS = tuple(name for name in Device.model_fields)


class UnitDeviceItem(TableItem):
    """PK ``UNIT#<commune>``  SK ``DEVICE#<thing>``: an active device of the commune."""

    Meta = table_meta()
    thing = UnicodeAttribute()
    kind = UnicodeAttribute()


class AlarmItem(TableItem):
    """PK ``DEVICE#<thing>``  SK ``ALARM#<opened_at utc>``  GSI1PK ``ALARMS``
    GSI1SK ``<path>/<opened_at utc>/<thing>``."""

    Meta = table_meta()

    thing = UnicodeAttribute()
    unit = UnicodeAttribute()
    path = string_list()
    name = UnicodeAttribute()
    device_kind = UnicodeAttribute()
    kind = UnicodeAttribute()
    reason = UnicodeAttribute()
    opened_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    open = BooleanAttribute()
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_area = Gsi1()


class PlayItem(TableItem):
    """PK ``DEVICE#<thing>``  SK ``PLAY#<started_at utc>#<play_id>``: one proof of play."""

    Meta = table_meta()
    doc = UnicodeAttribute()


class CommandItem(TableItem):
    """PK ``DEVICE#<thing>``  SK ``COMMAND#<command_id>``: a command and its outcome."""

    Meta = table_meta()
    doc = UnicodeAttribute()
    status = UnicodeAttribute()
    command = UnicodeAttribute()


def _value(value: Any) -> Any:
    """A device field's value as its attribute takes it."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, str):  # StrEnum members too
        return str(value)
    return value


def _device_item(device: Device) -> DeviceItem:
    item = DeviceItem(
        pk=f"DEVICE#{device.thing}",
        sk=_DEVICE,
        gsi1pk=_DEVICES,
        gsi1sk=f"{listing_key(device.path)}{device.thing}",
        presence_order=device.presence_order,
    )
    for name in _FIELDS:
        setattr(item, name, _value(getattr(device, name)))
    return item


def _device(item: DeviceItem) -> Device:
    data = {name: getattr(item, name) for name in _FIELDS}
    data["errors"] = data["errors"] or []
    return Device.model_validate(data)


def _alarm_item(alarm: Alarm) -> AlarmItem:
    opened = utc_key(alarm.opened_at)
    return AlarmItem(
        pk=f"DEVICE#{alarm.thing}",
        sk=f"ALARM#{opened}",
        gsi1pk=_ALARMS,
        gsi1sk=f"{listing_key(alarm.path)}{opened}/{alarm.thing}",
        thing=alarm.thing,
        unit=alarm.unit,
        path=list(alarm.path),
        name=alarm.name,
        device_kind=alarm.device_kind.value,
        kind=alarm.kind.value,
        reason=alarm.reason,
        opened_at=alarm.opened_at,
        closed_at=alarm.closed_at,
        open=alarm.open,
    )


def _alarm(item: AlarmItem) -> Alarm:
    return Alarm(
        thing=item.thing,
        unit=item.unit,
        path=list(item.path),
        name=item.name,
        device_kind=DeviceKind(item.device_kind),
        kind=AlarmKind(item.kind),
        reason=item.reason,
        opened_at=item.opened_at,
        closed_at=item.closed_at,
        open=item.open,
    )


def _play_key(play: PlayRecord) -> tuple[str, str]:
    return f"DEVICE#{play.thing}", f"PLAY#{utc_key(play.started_at)}#{play.play_id}"
