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
  every ``heartbeat_s``, and buffers proof-of-play until the broker acknowledges it.
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
from nguon_device.cache import (
    Download,
    ProgrammeCache,
    download,
    fetch_alert,
    fetch_media,
    http_fetch,
)
from nguon_device.cache import Programme as CachedProgramme
from nguon_device.clock import Handle, Scheduler
from nguon_device.commands import Commands
from nguon_device.config import DeviceConfig
from nguon_device.memory import EmergencyMemory
from nguon_device.player import Player, PlayItem
from nguon_device.plays import PlayLog, PlaySender
from nguon_device.programme import Programme, parse_items, play_id
from nguon_device.settings import Settings, zone
from nguon_device.shadows import ShadowClient
from nguon_device.timeutil import iso, parse_time
from nguon_device.transport import Transport

log = logging.getLogger("nguon_device.device")
RETRY_BASE_S, RETRY_CAP_S = 5.0, 600.0


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


@dataclass(eq=False)
class ShadowAlert:
    """An alert the ``playback`` shadow refers to, as the device holds it."""

    ref: dict[str, Any]
    """The latest reference for this ``(alert_id, version)``: alert_id, version, valid_until,
    url, sha256 (valid_from)."""
    fetching: bool = False
    done: bool = False
    """Offered to the programme, ignored (expired, already played, stopped) or invalid."""
    failures: int = 0


class Device:
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
        """The verified manifest in use (from the cache at boot, then from the shadow)."""
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
        self.shadow_alerts: dict[str, ShadowAlert] = {}
        """The alerts the ``playback`` shadow refers to, by alert id."""
        self._reported_playback: dict[str, Any] | None = None

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

    def _emergency_refs(self, value: Any) -> tuple[dict[str, dict[str, Any]] | None, set[str]]:
        """The readable references of ``desired.emergencies`` by alert id (``None``: the whole
        value is unreadable) and the ids whose entry is unreadable (left as they are)."""
        if not isinstance(value, dict):
            self.drop_invalid("playback shadow", f"emergencies: not an object: {value!r:.80}")
            return None, set()
        refs: dict[str, dict[str, Any]] = {}
        unreadable: set[str] = set()
        for alert_id, ref in value.items():
            if ref is None:
                continue  # removed
            problems = schemas.errors("shadow-playback", {"emergencies": {alert_id: ref}})
            if not problems and ref["alert_id"] != alert_id:
                problems = [f"emergencies/{alert_id}: holds alert {ref['alert_id']}"]
            if problems:
                unreadable.add(alert_id)
                self.drop_invalid("playback shadow", "; ".join(problems[:3]))
            else:
                refs[alert_id] = ref
        return refs, unreadable

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

    # -- programme ----------------------------------------------------------------------------
    def _want_manifest(self, ref: dict[str, str]) -> None:
        self._wanted = ref
        if self._fetching is not None:
            return  # its completion looks at _wanted again
        self._fetching = ref
        config = self.config
        self.scheduler.run_in_background(
            lambda: download(self.cache, ref, config.kind, self.fetch, config.fetch_timeout_s),
            lambda result, error: self._fetched(ref, result, error),
        )

    def _fetched(
        self, ref: dict[str, str], result: Download | None, error: BaseException | None
    ) -> None:
        self._fetching = None
        if not self._running:
            return
        wanted = self._wanted
        if wanted is not None and wanted["sha256"] != ref["sha256"]:
            self._want_manifest(wanted)  # superseded while it downloaded
            return
        if error is not None or result is None:
            log.warning("%s: manifest %s not fetched: %s", self.thing, ref["version"], error)
            self._error(f"manifest {ref['version']}: {error}")
            self.emit("manifest_failed", {"version": ref["version"], "error": str(error)})
            self._retry_manifest_later(ref)
            return
        for problem in result.media_errors:
            self._error(problem)
        if result.media_errors:
            self._retry_manifest_later(ref)  # adopted below all the same
        else:
            self._fetch_failures = 0
        if self.adopted is None or self.adopted.ref["sha256"] != ref["sha256"]:
            self._adopt(result.programme)
            self.cache.adopt(result.programme)
            self.emit(
                "manifest", {"version": ref["version"], "media_errors": list(result.media_errors)}
            )
        self._report_playback()

    def _retry_manifest_later(self, ref: dict[str, str]) -> None:
        """Exponential backoff with full jitter: 5 s doubling up to 10 min, drawn from [0, cap]."""
        self._fetch_failures += 1
        cap = min(RETRY_CAP_S, RETRY_BASE_S * 2**self._fetch_failures)
        self._later("manifest", self._rng.uniform(0, cap), lambda: self._retry_manifest(ref))

    def _retry_manifest(self, ref: dict[str, str]) -> None:
        if self._running and self._wanted is not None and self._wanted["sha256"] == ref["sha256"]:
            self._want_manifest(ref)

    def _adopt(self, programme: CachedProgramme) -> None:
        self.adopted = programme
        self.programme.set_items(parse_items(programme.manifest, programme.ref["sha256"]))

    def _want_media(self, media: dict[str, Any]) -> None:
        digest = media["sha256"]
        if digest in self._media_wanted:
            return
        self._media_wanted.add(digest)
        self.scheduler.run_in_background(
            lambda: fetch_media(self.cache, media, self.fetch, self.config.fetch_timeout_s),
            lambda _path, error: self._media_fetched(digest, error),
        )

    def _media_fetched(self, digest: str, error: BaseException | None) -> None:
        self._media_wanted.discard(digest)
        if error is not None:
            self._error(f"media {digest[:12]}: {error}")

    def _housekeeping(self) -> None:
        self.cache.prune(self.adopted)
        self.memory.prune(self.scheduler.now())

    # -- emergencies --------------------------------------------------------------------------
    def _on_alert(self, topic: str, payload: bytes) -> None:
        alert, problem = schemas.parse("alert", payload)
        if alert is None:
            self.drop_invalid(topic, problem)
            return
        if alert["action"] == "stop":
            stopped = self.programme.withdraw(
                alert["alert_id"], alert["version"], "stopped by the issuer"
            )
            self.emit(
                "alert_stopped",
                {"alert_id": alert["alert_id"], "source": "topic", "was_known": stopped},
            )
        else:
            self._offer(alert, "topic")
        self._report_playback_soon()

    def _offer(self, alert: dict[str, Any], source: str) -> None:
        reason = self.programme.offer_emergency(alert)
        details = {"alert_id": alert["alert_id"], "version": alert["version"], "source": source}
        if reason is None:
            self.emit("alert", details)
        else:
            log.info(
                "%s: alert %s v%s ignored: %s",
                self.thing,
                alert["alert_id"],
                alert["version"],
                reason,
            )
            self.emit("alert_ignored", {**details, "reason": reason})

    # -- emergencies the playback shadow refers to ---------------------------------------------
    def _want_alert(self, ref: dict[str, Any]) -> None:
        """A reference from ``desired.emergencies``: fetch its document unless it is known."""
        alert_id, version = ref["alert_id"], ref["version"]
        held = self.shadow_alerts.get(alert_id)
        if held is not None and held.ref["version"] > version:
            return  # an older version than the one held
        if held is not None and held.ref["version"] == version:
            if held.done or held.ref == ref:
                return  # known at this (alert_id, version)
            held.ref = dict(ref)  # a fresh URL (presigned URLs expire) or a rewritten document
            held.failures = 0
            if not held.fetching:
                self._cancel_timer(f"alert {alert_id}")
                self._fetch_alert(held)
            return  # else its completion fetches again with this one
        if held is not None:
            self._cancel_timer(f"alert {alert_id}")  # superseded by a newer version
        held = ShadowAlert(dict(ref))
        self.shadow_alerts[alert_id] = held
        self._fetch_alert(held)

    def _fetch_alert(self, held: ShadowAlert) -> None:
        ref = held.ref
        details = {"alert_id": ref["alert_id"], "version": ref["version"], "source": "shadow"}
        reason = None
        if parse_time(ref["valid_until"]) <= self.scheduler.now():
            reason = "expired"  # never played after valid_until: not even fetched
        elif self.memory.played(ref["alert_id"], ref["version"]):
            reason = "already played"  # live, or before a restart: no need for the document
        elif self.memory.stopped(ref["alert_id"], ref["version"]):
            reason = "stopped"
        if reason is not None:
            held.done = True
            log.info(
                "%s: alert %s v%s ignored: %s", self.thing, ref["alert_id"], ref["version"], reason
            )
            self.emit("alert_ignored", {**details, "reason": reason})
            return
        held.fetching = True
        timeout_s = self.config.fetch_timeout_s
        self.scheduler.run_in_background(
            lambda: fetch_alert(ref, self.fetch, timeout_s),
            lambda result, error: self._alert_fetched(held, ref, result, error),
        )

    def _alert_fetched(
        self,
        held: ShadowAlert,
        ref: dict[str, Any],
        result: tuple[dict[str, Any] | None, str | None] | None,
        error: BaseException | None,
    ) -> None:
        held.fetching = False
        alert_id = ref["alert_id"]
        if not self._running or self.shadow_alerts.get(alert_id) is not held:
            return  # cleared or superseded while it downloaded
        if held.ref is not ref:
            self._fetch_alert(held)  # a fresher reference came meanwhile
            return
        if error is not None or result is None:
            log.warning(
                "%s: alert %s v%s not fetched: %s", self.thing, alert_id, ref["version"], error
            )
            self._error(f"alert {alert_id} v{ref['version']}: {error}")
            self.emit(
                "alert_failed",
                {"alert_id": alert_id, "version": ref["version"], "error": str(error)},
            )
            self._retry_alert_later(held)
            return
        held.done = True
        alert, problem = result
        if alert is not None and alert["action"] != "start":
            problem = f"action {alert['action']}, not start"
        elif alert is not None and (alert["alert_id"], alert["version"]) != (
            alert_id,
            ref["version"],
        ):
            problem = f"holds {alert['alert_id']} v{alert['version']}, not v{ref['version']}"
        if alert is None or problem is not None:
            self.drop_invalid(f"alert document {alert_id} v{ref['version']}", problem)
            return
        self._offer(alert, "shadow")
        self._report_playback()

    def _retry_alert_later(self, held: ShadowAlert) -> None:
        """The manifest's backoff (5 s doubling to 10 min, full jitter), per alert; each try
        first checks that the alert is still valid."""
        held.failures += 1
        cap = min(RETRY_CAP_S, RETRY_BASE_S * 2**held.failures)
        name = f"alert {held.ref['alert_id']}"

        def retry() -> None:
            self._timers.pop(name, None)
            if self._running and self.shadow_alerts.get(held.ref["alert_id"]) is held:
                self._fetch_alert(held)

        self._later(name, self._rng.uniform(0, cap), retry)

    def _shadow_alert_cleared(self, alert_id: str) -> None:
        """The cloud removed the reference: the alert was withdrawn (or is over)."""
        self.shadow_alerts.pop(alert_id)
        self._cancel_timer(f"alert {alert_id}")
        stopped = self.programme.withdraw(alert_id, None, "cleared from the playback shadow")
        self.emit("alert_stopped", {"alert_id": alert_id, "source": "shadow", "was_known": stopped})

    def _cancel_timer(self, name: str) -> None:
        handle = self._timers.pop(name, None)
        if handle is not None:
            handle.cancel()

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
    def _heartbeat(self) -> None:
        if not self.online:
            return
        body = {
            "thing": self.thing,
            "seq": self._seq,
            "sent_at": iso(self.scheduler.now()),
            "uptime_s": self.uptime_s,
            "playing": self._playing_summary(self.programme.current),
        }
        self._seq += 1
        self.publish(topics.heartbeat(self.thing), body, qos=0)

    def _on_record(self, record: dict[str, Any]) -> None:
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
