"""The device store on the main table: devices, and their monitoring state.

Every change of monitoring state is conditional on the device being as it was read
(:class:`nguon.models.monitoring.DeviceUpdate`); a change that opens or closes an alarm writes both
in one ``TransactWriteItems``, so an outage has exactly one alarm.

The items and their key patterns are in :mod:`nguon.storage.device_items`; alarms, plays and
commands are read and written by :class:`nguon.storage.device_records.DeviceRecords`.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from nguon.config import get_settings
from nguon.errors import Conflict, NotFound
from nguon.models.devices import Device, DeviceKind, DeviceStatus, presence_order
from nguon.models.monitoring import Alarm, DeviceUpdate
from nguon.storage.cursors import decode_key, index_cursor, take
from nguon.storage.device_items import (
    _DEVICE,
    _DEVICES,
    AlarmItem,
    DeviceItem,
    UnitDeviceItem,
    _alarm_item,
    _device,
    _device_item,
    _value,
    listing_key,
    utc_key,
)
from nguon.storage.device_records import DeviceRecords

_ATTEMPTS = 3


def _failed_condition(error: TransactWriteError) -> bool:
    reasons = [reason.code if reason else None for reason in error.cancellation_reasons or []]
    return "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons


class DynamoDeviceStore(DeviceRecords):
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
        items = take(query, limit)
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
                    assert closing.closed_at is not None  # Alarm.closed() sets it
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
    if update.playing is not None:
        told = update.playing
        condition &= (
            DeviceItem.playing_at.does_not_exist()
            | (DeviceItem.playing_at < told.at)
            | ((DeviceItem.playing_at == told.at) & (DeviceItem.playing_seq < told.seq))
        )
    return condition
