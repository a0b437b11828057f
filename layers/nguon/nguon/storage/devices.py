"""Devices in DynamoDB: the device, its commune's pointer to it, its alarms, plays and commands.

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

Every change of monitoring state is conditional on the device being as it was read
(:class:`nguon.models.monitoring.DeviceUpdate`); a change that opens or closes an alarm writes both
in one ``TransactWriteItems``, so an outage has exactly one alarm.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.constants import STRING
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict, NotFound
from nguon.models.device_commands import CommandRecord, CommandStatus
from nguon.models.devices import Device, DeviceKind, DeviceStatus, presence_order
from nguon.models.monitoring import Alarm, DeviceUpdate, PlayRecord
from nguon.storage.cursors import decode_key, index_cursor
from nguon.storage.table import Gsi1, TableItem, table_meta

_DEVICE = "DEVICE"
_DEVICES = "DEVICES"
_ALARMS = "ALARMS"
_ATTEMPTS = 3


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
    path = ListAttribute(of=UnicodeAttribute)
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
    firmware = UnicodeAttribute(null=True)
    temperature_c = NumberAttribute(null=True)
    signal_dbm = NumberAttribute(null=True)
    errors = ListAttribute(of=UnicodeAttribute, null=True)
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
    path = ListAttribute(of=UnicodeAttribute)
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
        kind=item.kind,
        reason=item.reason,
        opened_at=item.opened_at,
        closed_at=item.closed_at,
        open=item.open,
    )


def _play_key(play: PlayRecord) -> tuple[str, str]:
    return f"DEVICE#{play.thing}", f"PLAY#{utc_key(play.started_at)}#{play.play_id}"


def _failed_condition(error: TransactWriteError) -> bool:
    reasons = [reason.code if reason else None for reason in error.cancellation_reasons or []]
    return "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons


class DynamoDeviceStore:
    """:class:`nguon.services.devices.DeviceStore` and
    :class:`nguon.services.monitoring.MonitoringStore` on the main table."""

    def __init__(self) -> None:
        self._connection = Connection(region=get_settings().region)

    # --- devices -------------------------------------------------------------------------

    def create(self, device: Device) -> None:
        """The device and its commune's pointer; :class:`Conflict` if the thing exists."""
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(_device_item(device), condition=DeviceItem.pk.does_not_exist())
                transaction.save(
                    UnitDeviceItem(
                        pk=f"UNIT#{device.unit}",
                        sk=f"DEVICE#{device.thing}",
                        thing=device.thing,
                        kind=device.kind.value,
                    )
                )
        except TransactWriteError as error:
            if _failed_condition(error):
                raise Conflict("device_exists", thing=device.thing) from error
            raise

    def get(self, thing: str) -> Device | None:
        try:
            return _device(DeviceItem.get(f"DEVICE#{thing}", _DEVICE, consistent_read=True))
        except DeviceItem.DoesNotExist:
            return None

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
        """Devices of a subtree in path order; a page may be short (filters), ``next`` says
        whether to read on."""
        prefix = listing_key(path)
        condition: Condition | None = None
        for wanted in (
            DeviceItem.kind == kind.value if kind else None,
            DeviceItem.online == online if online is not None else None,
            DeviceItem.status == status.value if status else None,
        ):
            if wanted is not None:
                condition = wanted if condition is None else condition & wanted
        query = DeviceItem.listing.query(
            _DEVICES,
            DeviceItem.gsi1sk.startswith(prefix),
            filter_condition=condition,
            page_size=limit,
            last_evaluated_key=decode_key(
                cursor, equal={"GSI1PK": _DEVICES}, starts={"GSI1SK": prefix}
            ),
        )
        items = _take(query, limit)
        devices = [_device(item) for item in items]
        if len(items) < limit:
            return devices, None
        return devices, index_cursor(items[-1])

    def in_subtree(self, path: Sequence[str]) -> list[Device]:
        """The active devices of a unit's area."""
        return [
            _device(item)
            for item in DeviceItem.listing.query(
                _DEVICES,
                DeviceItem.gsi1sk.startswith(listing_key(path)),
                filter_condition=DeviceItem.status == DeviceStatus.ACTIVE.value,
            )
        ]

    def in_units(self, units: Iterable[str]) -> list[Device]:
        """The active devices of the given communes (one query each, then one batch read)."""
        keys = [
            (f"DEVICE#{pointer.thing}", _DEVICE)
            for code in dict.fromkeys(units)
            for pointer in UnitDeviceItem.query(
                f"UNIT#{code}", UnitDeviceItem.sk.startswith("DEVICE#")
            )
        ]
        found = [_device(item) for item in DeviceItem.batch_get(keys)]
        active = [device for device in found if device.status is DeviceStatus.ACTIVE]
        return sorted(active, key=lambda device: (device.path, device.thing))

    def all_active(self) -> list[Device]:
        """Every device in service (the fan-out's hourly refresh)."""
        return [
            _device(item)
            for item in DeviceItem.listing.query(
                _DEVICES, filter_condition=DeviceItem.status == DeviceStatus.ACTIVE.value
            )
        ]

    def online(self) -> list[Device]:
        """Every device marked online (the inactivity sweep's round)."""
        return [
            _device(item)
            for item in DeviceItem.listing.query(
                _DEVICES,
                filter_condition=(DeviceItem.online == True)  # noqa: E712  # a DynamoDB condition
                & (DeviceItem.status == DeviceStatus.ACTIVE.value),
            )
        ]

    def decommission(self, thing: str, at: datetime) -> Device:
        """Out of service: hidden from lists and fan-out, telemetry ignored, its open alarm
        closed. Decommissioning twice returns the device as it is."""
        for _ in range(_ATTEMPTS):
            device = self.get(thing)
            if device is None:
                raise NotFound("device_not_found", thing=thing)
            if device.status is DeviceStatus.DECOMMISSIONED:
                return device
            changes = {
                "status": DeviceStatus.DECOMMISSIONED,
                "decommissioned_at": at,
                "online": False,
                "alarm_opened_at": None,
            }
            update = DeviceUpdate(
                thing=thing,
                online=device.online,
                changes=changes,
                unchanged={"alarm_opened_at": device.alarm_opened_at},
                closes=_open_alarm(device).closed(at) if device.alarm_opened_at else None,
            )
            pointer = UnitDeviceItem(pk=f"UNIT#{device.unit}", sk=f"DEVICE#{thing}")
            if self._write(update, deletes=[pointer]):
                return device.model_copy(update=changes)
        raise Conflict("conflict")

    # --- monitoring state ------------------------------------------------------------------

    def apply(self, update: DeviceUpdate) -> bool:
        """Apply a change if the device is still as read; ``False`` (nothing written) if not."""
        return self._write(update)

    def _write(self, update: DeviceUpdate, deletes: Sequence[Model] = ()) -> bool:
        item = DeviceItem(pk=f"DEVICE#{update.thing}", sk=_DEVICE)
        actions = []
        changes = dict(update.changes)
        if "presence_version" in changes:
            changes["presence_order"] = presence_order(
                changes["presence_version"], changes["presence_event"]
            )
        for name, value in changes.items():
            attribute = getattr(DeviceItem, name)
            actions.append(attribute.remove() if value is None else attribute.set(_value(value)))
        condition = _condition(update)
        if update.opens is None and update.closes is None and not deletes:
            try:
                item.update(actions=actions, condition=condition)
            except UpdateError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    return False
                raise
            return True
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.update(item, actions=actions, condition=condition)
                if update.opens is not None:
                    transaction.save(
                        _alarm_item(update.opens), condition=AlarmItem.pk.does_not_exist()
                    )
                if update.closes is not None:
                    closing = update.closes
                    transaction.update(
                        AlarmItem(
                            pk=f"DEVICE#{closing.thing}", sk=f"ALARM#{utc_key(closing.opened_at)}"
                        ),
                        actions=[
                            AlarmItem.open.set(False),
                            AlarmItem.closed_at.set(closing.closed_at),
                        ],
                        condition=AlarmItem.open == True,  # noqa: E712  # a DynamoDB condition
                    )
                for deleted in deletes:
                    transaction.delete(deleted)
        except TransactWriteError as error:
            if _failed_condition(error):
                return False
            raise
        return True

    # --- alarms ----------------------------------------------------------------------------

    def alarms(
        self,
        path: Sequence[str],
        *,
        open: bool | None = None,  # the API's word
        limit: int = 50,
        cursor: str | None = None,
    ) -> tuple[list[Alarm], str | None]:
        """Alarms of a subtree, by commune then oldest first."""
        prefix = listing_key(path)
        query = AlarmItem.by_area.query(
            _ALARMS,
            AlarmItem.gsi1sk.startswith(prefix),
            filter_condition=(AlarmItem.open == open) if open is not None else None,
            page_size=limit,
            last_evaluated_key=decode_key(
                cursor, equal={"GSI1PK": _ALARMS}, starts={"GSI1SK": prefix}
            ),
        )
        items = _take(query, limit)
        alarms = [_alarm(item) for item in items]
        if len(items) < limit:
            return alarms, None
        return alarms, index_cursor(items[-1])

    # --- plays -----------------------------------------------------------------------------

    def add_plays(self, plays: Sequence[PlayRecord]) -> int:
        """Store the records not stored yet; the number stored. A record delivered twice is
        stored once (each put is conditional; those already there are not put again)."""
        keys = list(dict.fromkeys(_play_key(play) for play in plays))
        present = {(item.pk, item.sk) for item in PlayItem.batch_get(keys)}
        stored = 0
        for play in plays:
            key = _play_key(play)
            if key in present:
                continue
            present.add(key)
            try:
                PlayItem(pk=key[0], sk=key[1], doc=play.model_dump_json()).save(
                    condition=PlayItem.pk.does_not_exist()
                )
            except PutError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    continue
                raise
            stored += 1
        return stored

    def plays(self, thing: str, start: datetime, end: datetime) -> list[PlayRecord]:
        """Plays that started in ``[start, end)``, oldest first."""
        return [
            PlayRecord.model_validate_json(item.doc)
            for item in PlayItem.query(
                f"DEVICE#{thing}",
                PlayItem.sk.between(f"PLAY#{utc_key(start)}", f"PLAY#{utc_key(end)}"),
            )
        ]

    # --- commands --------------------------------------------------------------------------

    def save_command(self, record: CommandRecord) -> None:
        """A new command (its id must be new)."""
        try:
            self._command_item(record).save(condition=CommandItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("conflict") from error
            raise

    def command(self, thing: str, command_id: str) -> CommandRecord | None:
        try:
            item = CommandItem.get(f"DEVICE#{thing}", f"COMMAND#{command_id}", consistent_read=True)
        except CommandItem.DoesNotExist:
            return None
        return CommandRecord.model_validate_json(item.doc)

    def pending_commands(self, thing: str) -> list[CommandRecord]:
        """Commands still ``sent``, oldest first."""
        found = [
            CommandRecord.model_validate_json(item.doc)
            for item in CommandItem.query(
                f"DEVICE#{thing}",
                CommandItem.sk.startswith("COMMAND#"),
                filter_condition=CommandItem.status == CommandStatus.SENT.value,
                consistent_read=True,
            )
        ]
        return sorted(found, key=lambda record: record.issued_at)

    def finish_command(self, record: CommandRecord) -> bool:
        """Record the outcome of a command still ``sent``; ``False`` if it was settled already."""
        try:
            self._command_item(record).save(
                condition=CommandItem.status == CommandStatus.SENT.value
            )
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    @staticmethod
    def _command_item(record: CommandRecord) -> CommandItem:
        return CommandItem(
            pk=f"DEVICE#{record.thing}",
            sk=f"COMMAND#{record.command_id}",
            doc=record.model_dump_json(),
            status=record.status.value,
            command=record.command.value,
        )


def _open_alarm(device: Device) -> Alarm:
    """The key of a device's open alarm (enough to close it)."""
    assert device.alarm_opened_at is not None
    return Alarm.of(device, device.alarm_opened_at, reason="")


def _condition(update: DeviceUpdate) -> Condition:
    condition = (
        DeviceItem.pk.exists()
        & (DeviceItem.status == DeviceStatus.ACTIVE.value)
        & (DeviceItem.online == update.online)
    )
    for name, moment in update.older.items():
        attribute = getattr(DeviceItem, name)
        condition &= attribute.does_not_exist() | (attribute < moment)
    for name, value in update.unchanged.items():
        attribute = getattr(DeviceItem, name)
        condition &= attribute.does_not_exist() if value is None else attribute == _value(value)
    if update.presence is not None:
        guard = update.presence
        condition &= (
            DeviceItem.presence_order.does_not_exist()
            | (DeviceItem.presence_order < guard.order)
            | (DeviceItem.presence_at < guard.reset_before)
        )
    return condition


def _take(query: Iterable[Any], limit: int) -> list[Any]:
    taken = []
    for item in query:
        taken.append(item)
        if len(taken) >= limit:
            break
    return taken
