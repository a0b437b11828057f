"""The ``config`` shadow's values as the device holds them, and the power schedule.

Desired values are applied one key at a time: a bad key (out of range, wrong type) is skipped
and logged, the good ones still apply. What is applied is what the device reports back, so a
key the device refused keeps its delta in the shadow and stays visible to the operator.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any

from nguon_device import schemas

log = logging.getLogger("nguon_device.settings")
KEYS = ("volume", "power", "brightness", "heartbeat_s", "power_schedule")


def zone(name: str) -> tzinfo:
    """``name`` as a time zone; Vietnam's fixed UTC+7 when the system has no tz database."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tzdata on a minimal image
        log.warning("time zone %s unavailable, using UTC+07:00", name)
        return timezone(timedelta(hours=7))


@dataclass
class Settings:
    volume: int = 70
    power: str = "on"
    brightness: int = 80
    heartbeat_s: int = 60
    power_schedule: list[dict[str, Any]] = field(default_factory=list)

    def apply(self, desired: dict[str, Any]) -> tuple[set[str], list[str]]:
        """Apply the known keys of ``desired``: ``(changed keys, problems)``."""
        changed: set[str] = set()
        problems: list[str] = []
        for key in KEYS:
            if key not in desired:
                continue
            errors = schemas.errors("shadow-config", {key: desired[key]})
            if errors:
                problems.extend(errors)
                continue
            if getattr(self, key) != desired[key]:
                setattr(self, key, desired[key])
                changed.add(key)
        return changed, problems

    def reported(self) -> dict[str, Any]:
        return asdict(self)

    def powered(self, moment: datetime, tz: tzinfo) -> bool:
        """On unless switched off or outside every window of the schedule (none: always on)."""
        if self.power != "on":
            return False
        if not self.power_schedule:
            return True
        local = moment.astimezone(tz)
        return any(_in_window(local, window) for window in self.power_schedule)


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(min(hours, 23), minutes)


def _in_window(local: datetime, window: dict[str, Any]) -> bool:
    on, off = _clock(window["on"]), _clock(window["off"])
    days = set(window["days"])
    now = local.time()
    if on <= off:
        return local.isoweekday() in days and on <= now < off
    # Overnight (on 18:00, off 06:00): the evening belongs to the listed day, the morning to
    # the day after it.
    yesterday = (local - timedelta(days=1)).isoweekday()
    return (local.isoweekday() in days and now >= on) or (yesterday in days and now < off)
