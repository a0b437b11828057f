"""A Nguồn device: a loudspeaker cluster or a public board, real or simulated.

:class:`Device` is behaviour only. It is given its configuration, a transport, a player and a
scheduler, and runs every callback on the scheduler's thread (see :mod:`nguon_device.clock`).
What it does:

- on each (re)connection: subscribes to its area alert topics and its command topic, syncs the
  ``config`` and ``playback`` shadows (get, apply desired, report), sends a heartbeat, reports
  ``health`` and resends unacknowledged proof-of-play;
- plays the programme from the manifest the ``playback`` shadow points to, cached on disk so it
  keeps playing offline and after a restart (:mod:`nguon_device.programme`);
- plays emergencies from the alert topics, or from the alert documents the ``playback``
  shadow refers to (``desired.emergencies``: fetched, checked against their SHA-256, played
  once per ``(alert_id, version)`` and never after ``valid_until``), answers commands, beats
  every ``heartbeat_s`` and at once (QoS 1) whenever what it plays starts or stops, and
  buffers proof-of-play until the broker acknowledges it.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from nguon_device import __version__, schemas, topics
from nguon_device.cache import Programme as CachedProgramme
from nguon_device.cache import ProgrammeCache, http_fetch
from nguon_device.clock import Handle, Scheduler
from nguon_device.commands import Commands
from nguon_device.config import DeviceConfig
from nguon_device.emergencies import EmergencyHandling
from nguon_device.manifests import ManifestFetching
from nguon_device.memory import EmergencyMemory
from nguon_device.player import Player, PlayItem
from nguon_device.plays import PlayLog, PlaySender
from nguon_device.programme import Programme, play_id
from nguon_device.settings import Settings, zone
from nguon_device.shadows import ShadowClient
from nguon_device.timeutil import iso
from nguon_device.transport import Transport

log = logging.getLogger("nguon_device.device")


@dataclass
class DeviceHooks:
    """Observers for the fleet, benchmarks and tests; called on the scheduler's thread."""

    on_playback_started: Callable[[Device, PlayItem, float], None] | None = None
    """``(device, item, monotonic time)`` each time the player starts something."""
    on_event: Callable[[Device, str, dict[str, Any]], None] | None = None
    """``(device, name, details)``: connected, subscribed (every area topic acknowledged),
    disconnected, config, manifest, manifest_failed, alert, alert_ignored, alert_stopped,
    alert_failed (an alert document the shadow refers to could not be fetched or verified;
    retried), command, play (a proof-of-play record), dropped (an invalid message)."""


class Device(EmergencyHandling, ManifestFetching):
    """The device; its emergencies (:mod:`nguon_device.emergencies`) and its manifest and media
    downloads (:mod:`nguon_device.manifests`) are written in their own modules."""

    def __init__(
        self,
        config: DeviceConfig,
        transport: Transport,
        player: Player,
        scheduler: Scheduler,
        *,
        fetch: Callable[[str, float], bytes] = http_fetch,
        hooks: DeviceHooks | None = None,
        sensors: Callable[[], dict[str, float]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.thing = config.thing
        self.transport, self.player, self.scheduler = transport, player, scheduler
        self.hooks = hooks or DeviceHooks()
        self.settings = Settings(heartbeat_s=config.heartbeat_s)
        self.cache = ProgrammeCache(config.cache_dir, config.cache_keep_h)
        self.plays = PlayLog(config.cache_dir / "plays.jsonl")
        self.sender = PlaySender(
            self.plays,
            thing=config.thing,
            scheduler=scheduler,
            publish=self.publish,
            batch_size=config.batch_size,
            flush_s=config.plays_flush_s,
        )
        self.commands = Commands(self)
        self.shadows = ShadowClient(
            config.thing, transport, scheduler, whole_in_delta={"playback": ("emergencies",)}
        )
        self.shadows.on_desired = self._on_desired
        self.fetch = fetch
        self._rng = rng or random.Random()  # noqa: S311 - jitter and simulated sensors
        self._sensors = sensors or self._simulated_sensors
        self._tz = zone(config.timezone)
        self.memory = EmergencyMemory(
            config.cache_dir / "emergencies.json",
            defer=lambda write: scheduler.call_later(0.2, write),
        )
        self.programme = Programme(
            thing=config.thing,
            kind=config.kind,
            player=player,
            scheduler=scheduler,
            memory=self.memory,
            media_path=lambda media: self.cache.media_path(media["sha256"]) if media else None,
            on_record=self._on_record,
            on_event=self.emit,
            powered=lambda moment: self.settings.powered(moment, self._tz),
            want_media=self._want_media,
        )
        player.on_started = self._player_started
        self.adopted: CachedProgramme | None = None
        self.online = False
        self.errors: list[str] = []
        self._running = False
        self._boot_at = 0.0
        self._seq = 0
        self._timers: dict[str, Handle] = {}
        self._fetching: dict[str, str] | None = None
        self._wanted: dict[str, str] | None = None
        self._fetch_failures = 0
        self._media_wanted: set[str] = set()
        self.shadow_alerts = {}
        self._reported_playback: dict[str, Any] | None = None
        self._told_playing: dict[str, Any] | None = None
        """What plays as the last heartbeat said it."""
        self._playing_check = False

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Boot: load the cached programme, start playing, connect. Safe from any thread."""
        self.scheduler.call_soon(self._boot)

    def stop(self) -> None:
        """Stop playing and disconnect. Safe from any thread."""
        self._running = False
        self.transport.disconnect()
        self.scheduler.call_soon(self._halt)

    @property
    def uptime_s(self) -> int:
        return int(self.scheduler.monotonic() - self._boot_at)

    def _boot(self) -> None:
        self._running = True
        self._boot_at = self.scheduler.monotonic()
        self.transport.on_connection_success = lambda: self.scheduler.call_soon(self._connected)
        self.transport.on_connection_interrupted = lambda reason: self.scheduler.call_soon(
            lambda: self._disconnected(reason)
        )
        self.transport.on_stopped = lambda: self.scheduler.call_soon(
            lambda: self._disconnected("stopped")
        )
        self.memory.prune(self.scheduler.now())
        cached = self.cache.load_current()
        if cached is not None:
            log.info("%s: playing cached manifest %s", self.thing, cached.version)
            self._adopt(cached)
        else:
            self.programme.resume()
        self._every("heartbeat", self.settings.heartbeat_s, self._heartbeat)
        self._every("health", self.config.health_s, self._report_health)
        self._every("housekeeping", 3600, self._housekeeping)
        self.transport.connect()

    def _halt(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self.sender.cancel()
        self.programme.shutdown("device stopped")
        self.memory.flush()

    def _later(self, name: str, delay_s: float, action: Callable[[], None]) -> None:
        """One named timer: setting it again replaces the previous one."""
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()
        self._timers[name] = self.scheduler.call_later(delay_s, action)

    def _every(self, name: str, period_s: float, action: Callable[[], None]) -> None:
        """Run ``action`` every ``period_s`` (re-arming replaces the previous timer)."""
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()

        def tick() -> None:
            if self._running:
                self._timers[name] = self.scheduler.call_later(period_s, tick)
                action()

        self._timers[name] = self.scheduler.call_later(period_s, tick)

    def _cancel_timer(self, name: str) -> None:
        handle = self._timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    def _connected(self) -> None:
        if not self._running:
            return
        self.online = True
        log.info("%s: connected", self.thing)
        self.emit("connected", {})
        subscriptions = [
            *(self._subscribe(topics.alerts(unit), self._on_alert) for unit in self.config.areas),
            self._subscribe(topics.commands(self.thing), self.commands.receive),
        ]
        pending = [len(subscriptions)]

        def acknowledged(_future: Future[None]) -> None:
            pending[0] -= 1
            if pending[0] == 0:  # listening to every area now: an alert cannot slip past
                self.scheduler.call_soon(lambda: self.emit("subscribed", {}))

        for subscription in subscriptions:
            subscription.add_done_callback(acknowledged)
        self._reported_playback = None
        self.shadows.connected()
        self.sender.online = True
        self.sender.flush()
        self.commands.flush()
        self._heartbeat()
        self._every("heartbeat", self.settings.heartbeat_s, self._heartbeat)
        self._report_health()

    def _disconnected(self, reason: str) -> None:
        if self.online:
            log.info("%s: disconnected (%s)", self.thing, reason)
            self.emit("disconnected", {"reason": reason})
        self.online = False
        self.sender.online = False
        self.shadows.disconnected()

    def _subscribe(self, topic_filter: str, handler: Callable[[str, bytes], None]) -> Future[None]:
        def receive(topic: str, payload: bytes) -> None:
            self.scheduler.call_soon(lambda: handler(topic, payload))

        subscription = self.transport.subscribe(topic_filter, 1, receive)

        def report(f: Future[None]) -> None:
            if f.exception():
                log.warning("%s: subscribe %s failed", self.thing, topic_filter)

        subscription.add_done_callback(report)
        return subscription

    def publish(self, topic: str, body: dict[str, Any], qos: int = 1) -> Future[None]:
        """Publish ``body`` as JSON; the future resolves on the PUBACK (QoS 1)."""
        return self.transport.publish(topic, json.dumps(body, ensure_ascii=False).encode(), qos)

    def emit(self, name: str, details: dict[str, Any]) -> None:
        if self.hooks.on_event is not None:
            self.hooks.on_event(self, name, details)

    def _player_started(self, item: PlayItem, at: float) -> None:
        self._playing_changed()
        if self.hooks.on_playback_started is not None:
            self.hooks.on_playback_started(self, item, at)

    def drop_invalid(self, topic: str, reason: str | None) -> None:
        log.warning("%s: invalid message on %s dropped: %s", self.thing, topic, reason)
        self.emit("dropped", {"topic": topic, "reason": reason})

    # -- shadows ------------------------------------------------------------------------------
    def _on_desired(self, name: str, desired: dict[str, Any], source: str) -> None:
        if name == "config":
            self._apply_config(desired)
        elif name == "playback":
            self._apply_playback(desired, source)

    def _apply_config(self, desired: dict[str, Any]) -> None:
        changed, problems = self.settings.apply(desired)
        for problem in problems:
            self.drop_invalid("config shadow", problem)
        if "volume" in changed:
            self.player.set_volume(self.settings.volume)
        if "brightness" in changed:
            self.player.set_brightness(self.settings.brightness)
        if "heartbeat_s" in changed:
            self._every("heartbeat", self.settings.heartbeat_s, self._heartbeat)
        if changed & {"power", "power_schedule"}:
            self.programme.power_changed(self.settings.powered(self.scheduler.now(), self._tz))
        if changed:
            self.emit("config", {"changed": sorted(changed)})
        self.shadows.report("config", self.settings.reported())

    def _apply_playback(self, desired: dict[str, Any], source: str) -> None:
        # Each key on its own: a bad emergency must not hold back a new manifest, or the reverse.
        problems = schemas.errors("shadow-playback", {"manifest": desired.get("manifest")})
        if problems:
            self.drop_invalid("playback shadow", "; ".join(problems[:3]))
        refs, unreadable = self._emergency_refs(desired.get("emergencies", {}))
        if (problems or refs is None or unreadable) and source == "delta":
            self.shadows.get("playback")  # a partial view gone wrong: read the whole shadow
        ref = None if problems else desired.get("manifest")
        if ref and (self.adopted is None or self.adopted.ref["sha256"] != ref["sha256"]):
            self._want_manifest(dict(ref))
        if refs is not None:
            # The map is whole (a get, a delta that has it, or the known one merged with an
            # update that removed entries): an alert held from it and now absent was cleared.
            for alert_id in list(self.shadow_alerts):
                if alert_id not in refs and alert_id not in unreadable:
                    self._shadow_alert_cleared(alert_id)
            for alert_ref in refs.values():
                self._want_alert(alert_ref)
        self._report_playback()

    def _report_playback_soon(self) -> None:
        """Report after a short pause: an alert reaching a whole fleet starts every device
        first, and a stop arriving right after a start makes one report, not two."""
        if "report" not in self._timers:
            self._later("report", 0.5, self._report_playback)

    def _report_playback(self) -> None:
        self._timers.pop("report", None)
        adopted = self.adopted
        reported = {
            "manifest": adopted.ref if adopted else None,
            "manifest_version": adopted.version if adopted else None,
            "cached_until": adopted.manifest["valid_until"] if adopted else None,
            "emergency_id": self.programme.emergency_id,
        }
        if reported != self._reported_playback and self.online:
            self._reported_playback = reported
            self.shadows.report("playback", reported)

    def _report_health(self) -> None:
        if not self.online:
            return
        current = self.programme.current
        self.shadows.report(
            "health",
            {
                "kind": self.config.kind,
                "firmware": self.config.firmware or f"nguon-device/{__version__}",
                "uptime_s": self.uptime_s,
                **self._sensors(),
                "errors": self.errors[-20:],
                "current_item": self._playing_summary(current),
                "volume": self.settings.volume,
                "power": self.settings.power,
            },
        )

    def _simulated_sensors(self) -> dict[str, float]:
        return {
            "temperature_c": round(38 + self._rng.uniform(-4, 6), 1),
            "signal_dbm": round(-78 + self._rng.uniform(-12, 12)),
        }

    def _error(self, text: str) -> None:
        self.errors = [*self.errors[-19:], text[:200]]

    # -- housekeeping and simulated reboot -----------------------------------------------------
    def _housekeeping(self) -> None:
        self.cache.prune(self.adopted)
        self.memory.prune(self.scheduler.now())

    def reboot(self) -> None:
        """Simulated reboot: what plays is cut, the connection drops, uptime restarts."""
        if not self._running:
            return
        log.info("%s: rebooting (simulated)", self.thing)
        self.programme.shutdown("reboot")
        self.transport.disconnect()
        self._boot_at = self.scheduler.monotonic()
        self._seq = 0
        self.scheduler.call_later(2.0, self._come_back)

    def _come_back(self) -> None:
        if self._running:
            self.programme.resume()
            self.transport.connect()

    # -- heartbeat and proof-of-play ----------------------------------------------------------
    def _heartbeat(self, qos: int = 0) -> None:
        if not self.online:
            return
        playing = self._playing_summary(self.programme.current)
        body = {
            "thing": self.thing,
            "seq": self._seq,
            "sent_at": iso(self.scheduler.now()),
            "uptime_s": self.uptime_s,
            "playing": playing,
        }
        self._seq += 1
        self._told_playing = playing
        self.publish(topics.heartbeat(self.thing), body, qos=qos)

    def _playing_changed(self) -> None:
        """Something started or ended: say so at once, once the current callback is done (an
        emergency cutting an item is one stop and one start, reported as one heartbeat)."""
        if not self._playing_check:
            self._playing_check = True
            self.scheduler.call_soon(self._report_playing)

    def _report_playing(self) -> None:
        """A heartbeat out of turn, QoS 1 (a start or stop must not be lost like a periodic
        beat may be), when what plays differs from what the last heartbeat said; the cloud
        orders them by ``(sent_at, seq)``. Offline, the heartbeat on reconnection says it."""
        self._playing_check = False
        if self.online and self._playing_summary(self.programme.current) != self._told_playing:
            self._heartbeat(qos=1)

    def _on_record(self, record: dict[str, Any]) -> None:
        self._playing_changed()
        if self.sender.add(record):
            self.emit("play", record)

    def _playing_summary(self, current: Any) -> dict[str, Any] | None:
        if current is None:
            return None
        return {
            "bulletin_id": current.item.bulletin_id,
            "play_id": play_id(self.thing, current.item.key, current.started_at),
            "started_at": iso(current.started_at),
            "emergency": current.item.emergency,
        }
