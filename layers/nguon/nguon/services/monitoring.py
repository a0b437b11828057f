"""Device telemetry in: heartbeats, proof of play, presence, shadow reports, command results;
and the inactivity sweep.

Events come from IoT topic rules (the handler receives the rule's ``SELECT`` result, with a
``stream`` naming the rule):

1. ``heartbeat``: ``SELECT *, topic(3) AS thing, 'heartbeat' AS stream, timestamp() AS
   received_at FROM 'nguon/devices/+/heartbeat'``
2. ``plays``: the same on ``nguon/devices/+/plays``
3. ``command_result``: the same on ``nguon/devices/+/commands/result``
4. ``shadow_report``: ``SELECT state.reported AS reported, topic(3) AS thing, topic(6) AS shadow,
   'shadow_report' AS stream, timestamp() AS received_at FROM
   '$aws/things/+/shadow/name/+/update/accepted' WHERE topic(6) = 'health' OR topic(6) = 'config'``
5. ``presence``: ``SELECT *, 'presence' AS stream FROM '$aws/events/presence/+/+'``

Rules of the game:

- Events may come late, twice, or out of order (IoT delivers at least once; lifecycle events
  carry no ordering guarantee). Every change is conditional on what it was decided on, so an
  older or repeated event changes nothing, and a lost race is decided again on a fresh read.
- Presence is ordered by ``versionNumber`` (the connect and disconnect of one connection share
  it; the disconnect comes after), except that AWS restarts the numbers after about an hour
  offline: an event :data:`~nguon.models.monitoring.PRESENCE_RESET` newer than the last one counts.
- One alarm per outage: it opens in the same transaction as the online → offline change
  (conditional on ``online = true``) and closes with offline → online. A repeated disconnect,
  a second sweep, or a disconnect after the sweep finds the device offline already.
- Unknown things (other MQTT clients) and decommissioned devices are logged and ignored;
  an unreadable payload raises, for Lambda's retries and dead-letter queue.
"""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from nguon import clock
from nguon.errors import Conflict, InvalidInput
from nguon.models.device_commands import SHADOW_COMMANDS, CommandRecord, CommandStatus
from nguon.models.devices import Device, DeviceStatus
from nguon.models.monitoring import (
    MISSED_HEARTBEATS,
    PRESENCE_RESET,
    Alarm,
    CommandResultEvent,
    ConfigReport,
    DeviceUpdate,
    HealthReport,
    HeartbeatEvent,
    PlayingGuard,
    PlayRecord,
    PlaysEvent,
    PresenceEvent,
    PresenceGuard,
    ShadowReportEvent,
)
from nguon.observability import logger
from nguon.validation import plain_context

ATTEMPTS = 3
"""Reads and conditional writes per event before giving up (and letting Lambda retry)."""


class MonitoringStore(Protocol):
    """What telemetry needs of the device store (DynamoDB in :mod:`nguon.storage.devices`)."""

    def get(self, thing: str) -> Device | None: ...

    def online(self) -> list[Device]: ...

    def apply(self, update: DeviceUpdate) -> bool:
        """Apply if the device is still as read (see :class:`DeviceUpdate`); else ``False``."""

    def add_plays(self, plays: list[PlayRecord]) -> int:
        """Store the records not stored yet; how many were new."""

    def command(self, thing: str, command_id: str) -> CommandRecord | None: ...

    def pending_commands(self, thing: str) -> list[CommandRecord]: ...

    def finish_command(self, record: CommandRecord) -> bool:
        """Settle a command still ``sent``; ``False`` if it was settled already."""


class Outcome(StrEnum):
    """What an event did (logged, and returned by the handler)."""

    UPDATED = "updated"
    CAME_ONLINE = "came_online"
    WENT_OFFLINE = "went_offline"
    STALE = "stale"
    """Older than, or the same as, what is known: nothing changed."""
    NOTHING_REPORTED = "nothing_reported"
    UNKNOWN_THING = "unknown_thing"
    DECOMMISSIONED = "decommissioned"


class MonitoringService:
    def __init__(self, store: MonitoringStore, now: clock.Clock = clock.now) -> None:
        self._store = store
        self._now = now
        self._streams: dict[str, Callable[[Mapping[str, Any]], Any]] = {
            "heartbeat": self.heartbeat,
            "plays": self.plays,
            "presence": self.presence,
            "shadow_report": self.shadow_report,
            "command_result": self.command_result,
        }

    def handle(self, event: Mapping[str, Any]) -> Any:
        """Dispatch a topic rule's event on its ``stream``."""
        stream = event.get("stream") if isinstance(event, Mapping) else None
        handler = self._streams.get(stream) if isinstance(stream, str) else None
        if handler is None:
            raise InvalidInput("unknown_stream", stream=str(stream))
        return handler(event)

    # --- streams ---------------------------------------------------------------------------

    def heartbeat(self, event: Mapping[str, Any]) -> Outcome:
        """``last_seen`` becomes the newest heartbeat's arrival; a heartbeat newer than the
        last disconnect brings an offline device back (and closes its alarm).

        ``playing`` is ordered apart, by the device's own ``(sent_at, seq)``: a device sends a
        heartbeat at once (QoS 1) each time it starts or stops something, so two may arrive
        in the same millisecond or out of order, and a late "stopped" must not overwrite a
        newer "started" (nor a periodic beat sent before either)."""
        beat = _parse(HeartbeatEvent, event, "heartbeat")
        seen = beat.received_at or self._now()
        told = PlayingGuard(at=clock.localize(beat.sent_at), seq=beat.seq)
        says_playing = "playing" in beat.model_fields_set

        def decide(device: Device) -> DeviceUpdate | Outcome:
            beats_newer = device.last_seen is None or device.last_seen < seen
            playing_newer = says_playing and (
                device.playing_at is None
                or (device.playing_at, device.playing_seq or 0) < (told.at, told.seq)
            )
            if not beats_newer and not playing_newer:
                return Outcome.STALE
            changes: dict[str, Any] = {}
            guard = None
            if playing_newer:
                changes.update(playing=beat.playing, playing_at=told.at, playing_seq=told.seq)
                guard = told
            if not beats_newer:
                return DeviceUpdate(device.thing, device.online, changes, playing=guard)
            changes.update(last_seen=seen, uptime_s=beat.uptime_s)
            older = {"last_seen": seen}
            if device.online or (device.disconnected_at and device.disconnected_at >= seen):
                return DeviceUpdate(
                    device.thing, device.online, changes, older=older, playing=guard
                )
            changes.update(online=True, alarm_opened_at=None)
            return DeviceUpdate(
                device.thing,
                False,
                changes,
                older={**older, "disconnected_at": seen},
                playing=guard,
                closes=_closing(device, seen),
            )

        return self._change(beat.thing, decide)

    def plays(self, event: Mapping[str, Any]) -> int:
        """Proof of play, stored once per record however often it is delivered."""
        batch = _parse(PlaysEvent, event, "plays")
        device = self._store.get(batch.thing)
        if device is None:
            logger.info("plays of an unknown thing ignored", extra={"thing": batch.thing})
            return 0
        received = batch.received_at or self._now()
        records = [
            PlayRecord(
                thing=device.thing,
                unit=device.unit,
                received_at=received,
                **record.model_dump(),
            )
            for record in batch.records
        ]
        stored = self._store.add_plays(records)
        logger.info("plays", extra={"thing": device.thing, "records": len(records), "new": stored})
        return stored

    def presence(self, event: Mapping[str, Any]) -> Outcome:
        """Connected/disconnected, in ``versionNumber`` order; a disconnect of an online device
        opens its alarm, a connect of an offline one closes it."""
        change = _parse(PresenceEvent, event, "presence")
        at = change.timestamp
        reset_before = at - PRESENCE_RESET

        def decide(device: Device) -> DeviceUpdate | Outcome:
            known = device.presence_order
            restarted = device.presence_at is not None and device.presence_at < reset_before
            if known is not None and change.order <= known and not restarted:
                return Outcome.STALE
            changes: dict[str, Any] = {
                "presence_version": change.version,
                "presence_event": change.event_type,
                "presence_at": at,
            }
            guard = PresenceGuard(order=change.order, reset_before=reset_before)
            if change.event_type == "connected":
                changes["connected_at"] = at
                if device.online:
                    return DeviceUpdate(device.thing, True, changes, presence=guard)
                changes.update(online=True, alarm_opened_at=None)
                return DeviceUpdate(
                    device.thing, False, changes, presence=guard, closes=_closing(device, at)
                )
            changes["disconnected_at"] = at
            if not device.online:
                return DeviceUpdate(device.thing, False, changes, presence=guard)
            # The outage began after the last sign of life (lifecycle times are ±2 minutes).
            opened = max(at, device.silent_since())
            changes.update(online=False, alarm_opened_at=opened)
            reason = change.disconnect_reason or "DISCONNECTED"
            return DeviceUpdate(
                device.thing,
                True,
                changes,
                presence=guard,
                opens=Alarm.of(device, opened, reason),
            )

        return self._change(change.thing, decide)

    def shadow_report(self, event: Mapping[str, Any]) -> Outcome:
        """What a device reports in its ``health`` or ``config`` shadow, newest report wins; a
        ``config`` report showing a pending volume or power command's value settles it."""
        report = _parse(ShadowReportEvent, event, "shadow_report")
        if report.reported is None:
            return Outcome.NOTHING_REPORTED
        at = report.received_at or self._now()
        stamp = f"{report.shadow}_reported_at"
        changes: dict[str, Any] = {stamp: at}
        config: ConfigReport | None = None
        if report.shadow == "config":
            config = _parse(ConfigReport, report.reported, "shadow_report")
            changes.update({name: getattr(config, name) for name in config.model_fields_set})
        else:
            health = _parse(HealthReport, report.reported, "shadow_report")
            # ``current_item`` stays in the shadow only: what plays is ordered by the device's
            # heartbeats (a health report sent just before a stop may arrive after it).
            for name in health.model_fields_set - {"current_item"}:
                value = getattr(health, name)
                changes[name] = value if name != "errors" else (value or [])
        # A reported null is "not known", never "delete the setting".
        changes = {name: value for name, value in changes.items() if value is not None}

        def decide(device: Device) -> DeviceUpdate | Outcome:
            known = getattr(device, stamp)
            if known is not None and known >= at:
                return Outcome.STALE
            return DeviceUpdate(device.thing, device.online, changes, older={stamp: at})

        outcome = self._change(report.thing, decide)
        if config is not None and outcome is not Outcome.UNKNOWN_THING:
            self._settle(report.thing, config, at)
        return outcome

    def command_result(self, event: Mapping[str, Any]) -> Outcome:
        """A device's ``done`` or ``failed`` for a command from the command topic."""
        result = _parse(CommandResultEvent, event, "command_result")
        record = self._store.command(result.thing, result.command_id)
        if record is None:
            logger.info(
                "result of an unknown command ignored",
                extra={"thing": result.thing, "command_id": result.command_id},
            )
            return Outcome.UNKNOWN_THING
        if record.status is not CommandStatus.SENT:
            return Outcome.STALE
        settled = record.finished(CommandStatus(result.status), result.detail, result.at)
        return Outcome.UPDATED if self._store.finish_command(settled) else Outcome.STALE

    # --- the sweep -------------------------------------------------------------------------

    def sweep(self, now: datetime | None = None) -> int:
        """Online devices silent for :data:`MISSED_HEARTBEATS` heartbeat intervals go offline,
        each with its alarm; how many went. A device heard from meanwhile is left alone."""
        moment = clock.localize(now) if now is not None else self._now()
        gone = 0
        for device in self._store.online():
            silent_since = device.silent_since()
            if moment - silent_since <= _grace(device):
                continue
            update = DeviceUpdate(
                device.thing,
                True,
                {"online": False, "alarm_opened_at": moment},
                unchanged={"last_seen": device.last_seen, "connected_at": device.connected_at},
                opens=Alarm.of(device, moment, "missed_heartbeats"),
            )
            if self._store.apply(update):
                gone += 1
                logger.info(
                    "device went silent",
                    extra={"thing": device.thing, "silent_since": silent_since.isoformat()},
                )
        return gone

    # --- plumbing --------------------------------------------------------------------------

    def _change(self, thing: str, decide: Callable[[Device], DeviceUpdate | Outcome]) -> Outcome:
        """Read, decide, write on condition; a lost race is decided again on a fresh read."""
        for _ in range(ATTEMPTS):
            device = self._store.get(thing)
            if device is None:
                logger.info("telemetry of an unknown thing ignored", extra={"thing": thing})
                return Outcome.UNKNOWN_THING
            if device.status is not DeviceStatus.ACTIVE:
                return Outcome.DECOMMISSIONED
            decided = decide(device)
            if isinstance(decided, Outcome):
                return decided
            if self._store.apply(decided):
                if decided.opens is not None:
                    return Outcome.WENT_OFFLINE
                if decided.changes.get("online") is True and not decided.online:
                    return Outcome.CAME_ONLINE
                return Outcome.UPDATED
        logger.warning("device changed under every attempt", extra={"thing": thing})
        raise Conflict("conflict")

    def _settle(self, thing: str, config: ConfigReport, at: datetime) -> None:
        """Pending volume/power commands against a config report: the newest one asking for
        the reported value is done, the older ones of its kind were superseded."""
        pending = self._store.pending_commands(thing)
        for command in SHADOW_COMMANDS:
            if command.value not in config.model_fields_set:
                continue
            reported = getattr(config, command.value)
            mine = [
                record for record in pending if record.command is command and record.issued_at <= at
            ]
            matching = [record for record in mine if record.value == reported]
            if not matching:
                continue
            done = matching[-1]
            self._store.finish_command(done.finished(CommandStatus.DONE, "reported", at))
            for older in mine:
                if older.issued_at < done.issued_at:
                    self._store.finish_command(
                        older.finished(CommandStatus.FAILED, "superseded", at)
                    )


def _grace(device: Device) -> timedelta:
    return timedelta(seconds=MISSED_HEARTBEATS * device.heartbeat_s)


def _closing(device: Device, at: datetime) -> Alarm | None:
    """The device's open alarm, closed at ``at`` (``None`` if it has none)."""
    if device.alarm_opened_at is None:
        return None
    return Alarm.of(device, device.alarm_opened_at, "").closed(max(at, device.alarm_opened_at))


def _parse[M: BaseModel](model: type[M], data: Any, stream: str) -> M:
    """A payload as its model; an unreadable one is :class:`InvalidInput` (raised, so Lambda
    retries it and then keeps it in the dead-letter queue)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = [
            {"loc": list(problem["loc"]), "type": problem["type"], **plain_context(problem)}
            for problem in error.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput(
            "invalid_telemetry", stream=stream, count=len(details), details=details
        ) from error
