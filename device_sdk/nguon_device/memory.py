"""What a device remembers about emergencies across restarts (``emergencies.json``).

An emergency plays once per ``(alert_id, version)``: the alert topic and the shadow both carry
it, and a reconnection or a restart must not play it again. A stopped alert stays stopped even
if an older copy (a shadow read just before the stop, a redelivered QoS 1 message) arrives
later. Entries are forgotten once the alert could not play anyway (after ``valid_until``).

Writes can be deferred (``defer``): when one alert reaches thousands of simulated devices at
once, each device's file write would otherwise delay the next device's start.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from nguon_device.timeutil import iso, parse_time

log = logging.getLogger("nguon_device.memory")
STOP_KEPT = timedelta(days=2)


class EmergencyMemory:
    def __init__(
        self, path: Path, defer: Callable[[Callable[[], None]], object] | None = None
    ) -> None:
        self.path = Path(path)
        self._defer = defer
        self._dirty = False
        self._played: dict[str, str] = {}
        self._stopped: dict[str, tuple[int, str]] = {}
        self._live: dict[str, tuple[str, str]] = {}  # alert_id: (first live start, valid_until)
        try:
            data = json.loads(self.path.read_text("utf-8"))
            self._played = dict(data.get("played", {}))
            self._live = {k: (str(v[0]), str(v[1])) for k, v in data.get("live", {}).items()}
            self._stopped = {k: (int(v[0]), str(v[1])) for k, v in data.get("stopped", {}).items()}
        except FileNotFoundError:
            pass
        except (ValueError, TypeError, AttributeError, IndexError):
            log.warning("%s: unreadable, starting empty", self.path)

    def played(self, alert_id: str, version: int) -> bool:
        return f"{alert_id}:{version}" in self._played

    def stopped(self, alert_id: str, version: int) -> bool:
        entry = self._stopped.get(alert_id)
        return entry is not None and version <= entry[0]

    def first_live(self, alert_id: str) -> datetime | None:
        """When the alert (any version) first started playing live, if it did."""
        entry = self._live.get(alert_id)
        return parse_time(entry[0]) if entry else None

    def mark_played(
        self, alert_id: str, version: int, valid_until: datetime, started: datetime
    ) -> None:
        self._played[f"{alert_id}:{version}"] = iso(valid_until)
        if alert_id not in self._live:
            self._live[alert_id] = (iso(started), iso(valid_until))
        self._save()

    def mark_stopped(self, alert_id: str, version: int, until: datetime) -> None:
        previous = self._stopped.get(alert_id)
        if previous is None or version > previous[0]:
            self._stopped[alert_id] = (version, iso(until))
            self._save()

    def prune(self, now: datetime) -> None:
        before = len(self._played) + len(self._stopped)
        self._played = {k: v for k, v in self._played.items() if parse_time(v) > now}
        self._stopped = {k: v for k, v in self._stopped.items() if parse_time(v[1]) > now}
        self._live = {k: v for k, v in self._live.items() if parse_time(v[1]) > now}
        if len(self._played) + len(self._stopped) != before:
            self._save()

    def _save(self) -> None:
        if self._defer is None:
            self._write()
        elif not self._dirty:
            self._dirty = True
            self._defer(self._write)

    def flush(self) -> None:
        """Write now what a deferred save still holds (the device is stopping)."""
        if self._dirty:
            self._write()

    def _write(self) -> None:
        self._dirty = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        state = {"played": self._played, "stopped": self._stopped, "live": self._live}
        temporary.write_text(json.dumps(state), "utf-8")
        os.replace(temporary, self.path)
