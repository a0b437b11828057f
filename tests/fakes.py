"""In-memory stand-ins for unit tests of rules and handlers (integration tests use moto)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from nguon.clock import localize
from nguon.errors import Conflict, NotFound
from nguon.models.bulletins import AuditEvent, Bulletin, Change, Status
from nguon.models.device_commands import CommandRecord, CommandStatus
from nguon.models.devices import Device, DeviceKind, DeviceStatus
from nguon.models.monitoring import Alarm, DeviceUpdate, PlayRecord
from nguon.models.overview import CommuneDay
from nguon.models.programme import ProgrammeOrder, ProgrammeSettings
from nguon.models.units import AdminUnit


class InMemoryUnitStore:
    def __init__(self, units: Iterable[AdminUnit] = ()) -> None:
        self.units = {unit.code: unit for unit in units}

    def get(self, code: str) -> AdminUnit | None:
        return self.units.get(code)

    def children(self, code: str) -> list[AdminUnit]:
        return [unit for unit in self.units.values() if unit.parent == code]

    def put_many(self, units: Iterable[AdminUnit]) -> int:
        stored = list(units)
        self.units.update((unit.code, unit) for unit in stored)
        return len(stored)


class InMemoryBulletinStore:
    """:class:`nguon.services.bulletins.BulletinStore` in dicts, with the same all-or-nothing
    commit and version conditions as the DynamoDB one."""

    def __init__(self) -> None:
        self.bulletins: dict[str, Bulletin] = {}
        self.events: dict[str, list[AuditEvent]] = {}
        self.index: dict[str, set[str]] = {}
        self.cap_keys: dict[str, str] = {}

    def get(self, bulletin_id: str) -> Bulletin | None:
        return self.bulletins.get(bulletin_id)

    def commit(self, changes: Sequence[Change], *, cap_key: str | None = None) -> None:
        for change in changes:
            current = self.bulletins.get(change.bulletin.id)
            if (current.version if current else None) != change.expected_version:
                raise Conflict(
                    "stale_version",
                    version=change.expected_version,
                    current=current.version if current else None,
                )
        if cap_key and cap_key in self.cap_keys:
            raise Conflict("cap_already_imported", bulletin=self.cap_keys[cap_key])
        for change in changes:
            bulletin = change.bulletin
            self.bulletins[bulletin.id] = bulletin
            self.events.setdefault(bulletin.id, []).append(change.event)
            self.index[bulletin.id] = set(change.index)
        if cap_key:
            self.cap_keys[cap_key] = changes[0].bulletin.id

    def history(self, bulletin_id: str) -> list[AuditEvent]:
        return list(self.events.get(bulletin_id, []))

    def page(self, unit, *, starting_by, limit, cursor):
        listed = sorted(
            (b for b in self.bulletins.values() if unit in self.index[b.id]),
            key=lambda b: (b.validity()[0], b.id),
            reverse=True,
        )
        if starting_by:
            listed = [b for b in listed if b.validity()[0].date() <= starting_by]
        offset = int(cursor or 0)
        rest = listed[offset : offset + limit]
        more = offset + limit < len(listed)
        return rest, str(offset + limit) if more else None

    def awaiting_approval(self):
        pending = (b for b in self.bulletins.values() if b.status is Status.PENDING)
        return sorted(pending, key=lambda b: (b.validity()[0], b.id))

    def on_air(self, units, day):
        wanted = set(units)
        day_start = localize(datetime.combine(day, time()))
        day_end = day_start + timedelta(days=1)
        return [
            b
            for b in self.bulletins.values()
            if b.status is Status.APPROVED
            and wanted & set(b.targets)
            and b.validity()[0] < day_end
            and b.validity()[1] > day_start
        ]

    def on_air_from(self, units, moment):
        wanted = set(units)
        return [
            b
            for b in self.bulletins.values()
            if b.status is Status.APPROVED and wanted & set(b.targets) and b.validity()[1] > moment
        ]

    def by_cap_key(self, cap_key: str) -> Bulletin | None:
        bulletin_id = self.cap_keys.get(cap_key)
        return self.bulletins.get(bulletin_id) if bulletin_id else None


class InMemoryProgrammeStore:
    def __init__(self) -> None:
        self.orders: dict[tuple[str, date], ProgrammeOrder] = {}
        self.unit_settings: dict[str, ProgrammeSettings] = {}

    def order(self, unit: str, day: date) -> ProgrammeOrder | None:
        return self.orders.get((unit, day))

    def save_order(self, unit: str, day: date, order: ProgrammeOrder, expected: int | None) -> None:
        current = self.orders.get((unit, day))
        if expected is not None and (current.version if current else 0) != expected:
            raise Conflict("conflict")
        self.orders[(unit, day)] = order

    def settings(self, unit: str) -> ProgrammeSettings | None:
        return self.unit_settings.get(unit)

    def save_settings(self, unit: str, settings: ProgrammeSettings) -> None:
        self.unit_settings[unit] = settings


def _listing(path: Sequence[str]) -> str:
    return "".join(f"{code}/" for code in path)


class InMemoryDeviceStore:
    """:class:`nguon.services.devices.DeviceStore` and the monitoring store in dicts, with the
    DynamoDB store's conditions: an update applies only if the device is still as read, and
    the alarm it opens or closes goes with it, or nothing does."""

    def __init__(self, devices: Iterable[Device] = ()) -> None:
        self.devices: dict[str, Device] = {}
        self.alarm_items: dict[tuple[str, datetime], Alarm] = {}
        self.play_records: dict[tuple[str, datetime, str], PlayRecord] = {}
        self.commands: dict[tuple[str, str], CommandRecord] = {}
        self.refused = 0
        """Updates whose condition failed (lost races, stale events that got that far)."""
        for device in devices:
            self.create(device)

    # devices
    def create(self, device: Device) -> None:
        if device.thing in self.devices:
            raise Conflict("device_exists", thing=device.thing)
        self.devices[device.thing] = device

    def get(self, thing: str) -> Device | None:
        return self.devices.get(thing)

    def _listed(self, path, status=DeviceStatus.ACTIVE):
        prefix = _listing(path)
        return sorted(
            (
                d
                for d in self.devices.values()
                if _listing(d.path).startswith(prefix) and (status is None or d.status is status)
            ),
            key=lambda d: _listing(d.path) + d.thing,
        )

    def page(self, path, *, kind=None, online=None, status=DeviceStatus.ACTIVE, limit=25,
             cursor=None):  # fmt: skip
        found = [
            d
            for d in self._listed(path, status)
            if (kind is None or d.kind is kind)
            and (online is None or d.online is online)
            and (cursor is None or _listing(d.path) + d.thing > cursor)
        ]
        taken = found[:limit]
        more = len(taken) == limit
        return taken, (_listing(taken[-1].path) + taken[-1].thing if more else None)

    def in_subtree(self, path):
        return self._listed(path)

    def in_units(self, units):
        wanted = set(units)
        return [d for d in self._listed([]) if d.unit in wanted]

    def all_active(self):
        return self._listed([])

    def online(self):
        return [d for d in self._listed([]) if d.online]

    def decommission(self, thing: str, at: datetime) -> Device:
        device = self.devices.get(thing)
        if device is None:
            raise NotFound("device_not_found", thing=thing)
        if device.status is DeviceStatus.DECOMMISSIONED:
            return device
        if device.alarm_opened_at is not None:
            key = (thing, device.alarm_opened_at)
            self.alarm_items[key] = self.alarm_items[key].closed(at)
        changed = device.model_copy(
            update={"status": DeviceStatus.DECOMMISSIONED, "decommissioned_at": at,
                    "online": False, "alarm_opened_at": None}
        )  # fmt: skip
        self.devices[thing] = changed
        return changed

    # monitoring state
    def apply(self, update: DeviceUpdate) -> bool:
        if not self._holds(update):
            self.refused += 1
            return False
        device = self.devices[update.thing]
        self.devices[update.thing] = Device.model_validate(
            {**device.model_dump(), **dict(update.changes)}
        )
        if update.opens is not None:
            self.alarm_items[(update.thing, update.opens.opened_at)] = update.opens
        if update.closes is not None:
            key = (update.thing, update.closes.opened_at)
            self.alarm_items[key] = self.alarm_items[key].closed(update.closes.closed_at)
        return True

    def _holds(self, update: DeviceUpdate) -> bool:
        device = self.devices.get(update.thing)
        if device is None or device.status is not DeviceStatus.ACTIVE:
            return False
        if device.online is not update.online:
            return False
        for name, moment in update.older.items():
            current = getattr(device, name)
            if current is not None and not current < moment:
                return False
        for name, value in update.unchanged.items():
            if getattr(device, name) != value:
                return False
        guard = update.presence
        if guard is not None and device.presence_order is not None:
            newer = device.presence_order < guard.order
            reset = device.presence_at is not None and device.presence_at < guard.reset_before
            if not (newer or reset):
                return False
        told = update.playing
        if (
            told is not None
            and device.playing_at is not None
            and (device.playing_at, device.playing_seq or 0) >= (told.at, told.seq)
        ):
            return False
        if update.opens is not None and (update.thing, update.opens.opened_at) in self.alarm_items:
            return False
        if update.closes is not None:
            current = self.alarm_items.get((update.thing, update.closes.opened_at))
            if current is None or not current.open:
                return False
        return True

    # alarms
    def alarms(self, path, *, open=None, limit=50, cursor=None):
        prefix = _listing(path)
        found = sorted(
            (
                alarm
                for alarm in self.alarm_items.values()
                if _listing(alarm.path).startswith(prefix) and (open is None or alarm.open is open)
            ),
            key=lambda alarm: (_listing(alarm.path), alarm.opened_at, alarm.thing),
        )
        offset = int(cursor or 0)
        taken = found[offset : offset + limit]
        return taken, (str(offset + limit) if len(taken) == limit else None)

    def open_alarms(self, thing: str) -> list[Alarm]:
        return [a for (t, _), a in self.alarm_items.items() if t == thing and a.open]

    def all_alarms(self, thing: str) -> list[Alarm]:
        return sorted(
            (a for (t, _), a in self.alarm_items.items() if t == thing), key=lambda a: a.opened_at
        )

    # plays
    def add_plays(self, plays) -> int:
        stored = 0
        for play in plays:
            key = (play.thing, play.started_at, play.play_id)
            if key not in self.play_records:
                self.play_records[key] = play
                stored += 1
        return stored

    def plays(self, thing: str, start: datetime, end: datetime) -> list[PlayRecord]:
        return sorted(
            (p for (t, s, _), p in self.play_records.items() if t == thing and start <= s < end),
            key=lambda p: (p.started_at, p.play_id),
        )

    # commands
    def save_command(self, record: CommandRecord) -> None:
        key = (record.thing, record.command_id)
        if key in self.commands:
            raise Conflict("conflict")
        self.commands[key] = record

    def command(self, thing: str, command_id: str) -> CommandRecord | None:
        return self.commands.get((thing, command_id))

    def pending_commands(self, thing: str) -> list[CommandRecord]:
        return sorted(
            (r for (t, _), r in self.commands.items()
             if t == thing and r.status is CommandStatus.SENT),
            key=lambda r: r.issued_at,
        )  # fmt: skip

    def finish_command(self, record: CommandRecord) -> bool:
        key = (record.thing, record.command_id)
        current = self.commands.get(key)
        if current is None or current.status is not CommandStatus.SENT:
            return False
        self.commands[key] = record
        return True


class FakeIotDataPlane:
    """:class:`nguon.adapters.iot.IotDataPlane` in memory: desired states merged per named
    shadow, publishes recorded; set ``fail`` to make every call raise it."""

    def __init__(self) -> None:
        self.shadows: dict[tuple[str, str], dict] = {}
        self.versions: dict[tuple[str, str], int] = {}
        self.published: list[tuple[str, dict, int]] = []
        self.fail: Exception | None = None

    def update_desired(self, thing: str, shadow: str, desired: dict) -> int:
        if self.fail:
            raise self.fail
        state = self.shadows.setdefault((thing, shadow), {})
        for name, value in desired.items():
            if value is None:
                state.pop(name, None)
            else:
                state[name] = value
        self.versions[(thing, shadow)] = self.versions.get((thing, shadow), 0) + 1
        return self.versions[(thing, shadow)]

    def get_shadow(self, thing: str, shadow: str) -> dict | None:
        if (thing, shadow) not in self.shadows:
            return None
        return {
            "state": {"desired": dict(self.shadows[(thing, shadow)])},
            "version": self.versions[(thing, shadow)],
        }

    def publish(self, topic: str, message: dict, qos: int = 1) -> None:
        if self.fail:
            raise self.fail
        self.published.append((topic, message, qos))


class InMemoryVoiceStore:
    """:class:`nguon.services.voices.VoiceJobs` with the same conditional writes."""

    def __init__(self) -> None:
        from nguon.models.voices import VoiceJob

        self.jobs: dict[str, VoiceJob] = {}
        self.voices: dict[str, str] = {}
        self.writes: list[VoiceJob] = []

    def get(self, bulletin_id):
        return self.jobs.get(bulletin_id)

    def put(self, job, *, only_from=None):
        current = self.jobs.get(job.bulletin_id)
        if only_from is not None and (current is None or current.status not in only_from):
            raise Conflict("voice_state_changed", bulletin=job.bulletin_id)
        self.jobs[job.bulletin_id] = job
        self.writes.append(job)

    def create(self, job, *, replacing):
        current = self.jobs.get(job.bulletin_id)
        if current is not None and current.status not in replacing:
            raise Conflict("voice_state_changed", bulletin=job.bulletin_id)
        self.jobs[job.bulletin_id] = job
        self.writes.append(job)

    def area_voice(self, unit_code):
        return self.voices.get(unit_code)

    def set_area_voice(self, unit_code, voice):
        self.voices[unit_code] = voice


class InMemoryDailyCounts:
    """:class:`nguon.storage.daily_counts.DynamoDailyCounts` in dicts."""

    def __init__(self) -> None:
        self.played: dict[tuple[str, date], int] = {}
        self.planned: dict[tuple[str, date, str], int] = {}

    def add_played(self, counts) -> None:
        for key, plays in counts.items():
            self.played[key] = self.played.get(key, 0) + plays

    def set_planned(self, commune: str, day: date, kind: str, plays: int) -> None:
        self.planned[(commune, day, kind)] = plays

    def of_day(self, communes, day: date) -> dict[str, CommuneDay]:
        return {
            code: CommuneDay(
                played=self.played.get((code, day), 0),
                planned={kind: self.planned.get((code, day, kind), 0) for kind in DeviceKind},
            )
            for code in dict.fromkeys(communes)
        }
