"""Emergencies: the alerts from the area alert topics, and the alert documents the ``playback``
shadow refers to (``desired.emergencies``: fetched, checked against their SHA-256, played once per
``(alert_id, version)`` and never after ``valid_until``).

:class:`EmergencyHandling` is a part of :class:`~nguon_device.device.Device` (a mixin): the
device owns the state declared here and sets it up in its ``__init__``; the methods run on the
scheduler's thread like the rest of the device.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nguon_device import schemas
from nguon_device.cache import fetch_alert
from nguon_device.clock import Handle, Scheduler
from nguon_device.config import DeviceConfig
from nguon_device.manifests import RETRY_BASE_S, RETRY_CAP_S
from nguon_device.memory import EmergencyMemory
from nguon_device.programme import Programme
from nguon_device.timeutil import parse_time

# The device's logger: the messages read as before the split.
log = logging.getLogger("nguon_device.device")


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


class EmergencyHandling:
    """The device's emergencies; the device provides what is declared here."""

    thing: str
    config: DeviceConfig
    scheduler: Scheduler
    programme: Programme
    memory: EmergencyMemory
    fetch: Callable[[str, float], bytes]
    shadow_alerts: dict[str, ShadowAlert]
    """The alerts the ``playback`` shadow refers to, by alert id."""
    _running: bool
    _timers: dict[str, Handle]
    _rng: random.Random

    if TYPE_CHECKING:

        def emit(self, name: str, details: dict[str, Any]) -> None: ...
        def drop_invalid(self, topic: str, reason: str | None) -> None: ...
        def _error(self, text: str) -> None: ...
        def _later(self, name: str, delay_s: float, action: Callable[[], None]) -> None: ...
        def _cancel_timer(self, name: str) -> None: ...
        def _report_playback(self) -> None: ...
        def _report_playback_soon(self) -> None: ...

    # -- emergencies from the alert topics -----------------------------------------------------
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
