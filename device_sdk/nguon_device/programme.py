"""What plays when: the programme by the clock, emergencies over it, play_now in between.

One :class:`Programme` per device, driven by its scheduler. The rules:

- A programme item starts at its ``start`` and plays for ``duration_s`` (else ``end - start``).
  An item whose slot is already running when the device gets its manifest, comes back on, or
  finishes an emergency starts from the beginning (*restart*, not resume: a listener who missed
  the start of a spoken bulletin must hear it whole). An item still playing past its slot is
  cut when the next item is due; an item whose whole slot passed while another played is
  recorded as ``skipped``.
- An emergency pre-empts whatever plays (that play is recorded ``interrupted``), plays
  ``repeat`` times back to back, never after ``valid_until``, and then the programme resumes.
  Emergencies queue behind one another; a newer version of the same alert replaces it.
- The manifest also lists an emergency bulletin's plays at their times (its repeats, and its
  first play). A manifest emergency item that an alert already played live is not played
  again: one whose slot began before the live play, or one the live alert pre-empted.
- Each play ends in one proof-of-play record handed to ``on_record``.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from nguon_device.clock import Handle, Scheduler
from nguon_device.memory import STOP_KEPT, EmergencyMemory
from nguon_device.player import Player, PlayItem
from nguon_device.timeutil import iso, parse_time

log = logging.getLogger("nguon_device.programme")
MediaPath = Callable[[dict[str, Any] | None], Path | None]


@dataclass(frozen=True)
class Item:
    """A manifest item, parsed once per manifest and shared by the devices holding it."""

    item_id: str
    bulletin_id: str
    start: datetime
    end: datetime
    requested_s: float
    priority: str
    title: str
    text: str | None
    media: dict[str, Any] | None


_PARSED: OrderedDict[str, tuple[Item, ...]] = OrderedDict()


def parse_items(manifest: dict[str, Any], key: str) -> tuple[Item, ...]:
    """The manifest's items sorted by start; ``key`` (its SHA-256) lets devices share the result."""
    hit = _PARSED.get(key)
    if hit is not None:
        return hit
    items = []
    for raw in manifest["items"]:
        start, end = parse_time(raw["start"]), parse_time(raw["end"])
        media = raw.get("media") or None
        requested = raw.get("duration_s")
        if requested is None:
            requested = (media or {}).get("duration_s") or (end - start).total_seconds()
        items.append(
            Item(
                raw["item_id"],
                raw["bulletin_id"],
                start,
                end,
                float(requested),
                raw["priority"],
                raw["title"],
                raw.get("text"),
                media,
            )
        )
    parsed = tuple(sorted(items, key=lambda i: (i.start, i.item_id)))
    _PARSED[key] = parsed
    while len(_PARSED) > 64:
        _PARSED.popitem(last=False)
    return parsed


def speaking_time_s(kind: str, text: str | None, media: dict[str, Any] | None) -> float:
    """How long an alert plays once: its media's duration, else reading time (~2.5 words/s);
    a board keeps it on screen for at least 30 s."""
    if media and media.get("duration_s"):
        return float(media["duration_s"])
    spoken = max(5.0, len((text or "").split()) / 2.5 + 1.0)
    return max(30.0, spoken) if kind == "board" else spoken


def play_id(thing: str, key: str, started_at: datetime) -> str:
    """``{thing}:{key}:{started_at}``; hashed to fit the contract's 200 characters if need be."""
    text = f"{thing}:{key}:{iso(started_at)}"
    if len(text) <= 200:
        return text
    return f"{thing[:100]}:{hashlib.sha256(text.encode()).hexdigest()[:40]}:{iso(started_at)}"


@dataclass
class Playing:
    item: PlayItem
    started_at: datetime
    item_id: str | None = None
    slot_end: datetime | None = None
    alert: dict[str, Any] | None = None
    repeats_left: int = 0
    handles: list[Handle] = field(default_factory=list)


class Programme:
    def __init__(
        self,
        *,
        thing: str,
        kind: str,
        player: Player,
        scheduler: Scheduler,
        memory: EmergencyMemory,
        media_path: MediaPath,
        on_record: Callable[[dict[str, Any]], None],
        on_event: Callable[[str, dict[str, Any]], None],
        powered: Callable[[datetime], bool],
        want_media: Callable[[dict[str, Any]], None] = lambda media: None,
    ) -> None:
        self.thing, self.kind, self.player = thing, kind, player
        self._scheduler = scheduler
        self._memory = memory
        self._media_path = media_path
        self._on_record = on_record
        self._on_event = on_event
        self._powered = powered
        self._want_media = want_media
        self._items: tuple[Item, ...] = ()
        self._handled: set[str] = set()
        self._interrupted: set[str] = set()
        self._first_seen: dict[str, datetime] = {}
        self._current: Playing | None = None
        self._queue: list[dict[str, Any]] = []
        self._waiting: dict[str, tuple[dict[str, Any], Handle]] = {}
        self._next: Handle | None = None
        self._next_at: datetime | None = None

    # -- state --------------------------------------------------------------------------------
    @property
    def current(self) -> Playing | None:
        return self._current

    @property
    def emergency_id(self) -> str | None:
        """The alert playing, else the first queued or waiting one."""
        if self._current is not None and self._current.alert is not None:
            return self._current.alert["alert_id"]
        pending = self._queue or [alert for alert, _ in self._waiting.values()]
        return pending[0]["alert_id"] if pending else None

    # -- programme ----------------------------------------------------------------------------
    def set_items(self, items: tuple[Item, ...]) -> None:
        """Adopt a (new) manifest. A playing item it no longer lists (withdrawn) stops at once."""
        now = self._scheduler.now()
        ids = {item.item_id for item in items}
        self._items = items
        self._first_seen = {i: self._first_seen.get(i, now) for i in ids}
        self._handled &= ids
        self._interrupted &= ids
        current = self._current
        if current is not None and current.item_id is not None and current.item_id not in ids:
            self._cut(current, "interrupted", "withdrawn from the programme")
        self._advance()

    def power_changed(self, on: bool) -> None:
        current = self._current
        if not on and current is not None and current.item_id is not None:
            self._handled.add(current.item_id)
            self._cut(current, "interrupted", "power off")
        self._advance()

    # -- emergencies --------------------------------------------------------------------------
    def offer_emergency(self, alert: dict[str, Any]) -> str | None:
        """Queue ``alert`` (a validated start); the reason it is ignored, or ``None``."""
        now = self._scheduler.now()
        alert_id, version = alert["alert_id"], alert["version"]
        if parse_time(alert["valid_until"]) <= now:
            return "expired"
        if self._memory.played(alert_id, version):
            return "already played"
        if self._memory.stopped(alert_id, version):
            return "stopped"
        current = self._current
        if (
            current is not None
            and current.alert is not None
            and current.alert["alert_id"] == alert_id
        ):
            if current.alert["version"] >= version:
                return "already playing"
            self._cut(current, "interrupted", f"superseded by version {version}")
        for queued in self._queue:
            if queued["alert_id"] == alert_id and queued["version"] >= version:
                return "already queued"
        self._queue = [a for a in self._queue if a["alert_id"] != alert_id]
        waiting = self._waiting.pop(alert_id, None)
        if waiting is not None:
            if waiting[0]["version"] >= version:
                self._waiting[alert_id] = waiting
                return "already waiting"
            waiting[1].cancel()
        valid_from = alert.get("valid_from")
        if valid_from and parse_time(valid_from) > now:
            delay = (parse_time(valid_from) - now).total_seconds()
            handle = self._scheduler.call_later(delay, lambda: self._release(alert_id))
            self._waiting[alert_id] = (alert, handle)
            return None
        self._queue.append(alert)
        self._advance()
        return None

    def _release(self, alert_id: str) -> None:
        waiting = self._waiting.pop(alert_id, None)
        if waiting is not None:
            self._queue.append(waiting[0])
            self._advance()

    def withdraw(self, alert_id: str, version: int | None, reason: str) -> bool:
        """Stop ``alert_id`` (playing, queued or waiting) and never play that version again."""
        now = self._scheduler.now()
        known = [a for a in self._queue if a["alert_id"] == alert_id]
        waiting = self._waiting.pop(alert_id, None)
        if waiting is not None:
            waiting[1].cancel()
            known.append(waiting[0])
        current = self._current
        if (
            current is not None
            and current.alert is not None
            and current.alert["alert_id"] == alert_id
        ):
            known.append(current.alert)
        highest = max([version or 0, *(a["version"] for a in known)])
        until = max([now + STOP_KEPT, *(parse_time(a["valid_until"]) for a in known)])
        self._memory.mark_stopped(alert_id, highest, until)
        self._queue = [a for a in self._queue if a["alert_id"] != alert_id]
        if (
            current is not None
            and current.alert is not None
            and current.alert["alert_id"] == alert_id
        ):
            self._cut(current, "interrupted", reason)
            self._advance()
            return True
        return bool(known)

    # -- commands -----------------------------------------------------------------------------
    def play_now(self, item: PlayItem) -> str | None:
        """Play ``item`` at once over the programme; the reason it cannot, or ``None``."""
        current = self._current
        if (current is not None and current.alert is not None) or self._queue:
            return "an emergency is playing"
        if current is not None:
            self._cut(current, "interrupted", "play_now command")
        self._begin(Playing(item, self._scheduler.now()))
        return None

    def stop_current(self, reason: str) -> bool:
        """Stop what plays; a programme item stopped so does not restart."""
        current = self._current
        if current is None:
            return False
        if current.alert is not None:
            return self.withdraw(current.alert["alert_id"], current.alert["version"], reason)
        if current.item_id is not None:
            self._handled.add(current.item_id)
        self._cut(current, "interrupted", reason)
        self._advance()
        return True

    def shutdown(self, reason: str) -> None:
        """The device goes down (reboot): what plays is recorded as interrupted."""
        if self._next is not None:
            self._next.cancel()
        if self._current is not None:
            self._cut(self._current, "interrupted", reason)

    def resume(self) -> None:
        self._advance()

    # -- the engine ---------------------------------------------------------------------------
    def _advance(self) -> None:
        self._arm(self._decide())

    def _decide(self) -> datetime | None:
        """Start or cut what the clock says; when to look again (``None``: on the next event)."""
        now = self._scheduler.now()
        current = self._current
        if current is not None and current.alert is not None:
            return None  # the emergency's end calls back
        alert = self._pop_ready(now)
        if alert is not None:
            if current is not None:
                if current.item_id is not None and current.item.bulletin_id == alert["alert_id"]:
                    self._handled.add(current.item_id)  # the same bulletin, now live
                self._cut(current, "interrupted", f"emergency {alert['alert_id']}")
            self._start_emergency(alert, now, alert.get("repeat", 1))
            return None
        due, upcoming = self._scan(now)
        if current is not None:
            overran = current.slot_end is not None and current.slot_end <= now
            if due is not None and overran:
                self._cut(current, "interrupted", "overran its slot")
            elif due is not None:
                return current.slot_end  # None for play_now: its end calls back
            else:
                return upcoming.start if upcoming is not None else None
        if due is not None:
            self._start_item(due, now)
            if self._current is None:  # skipped or failed: look again
                return self._decide()
        return upcoming.start if upcoming is not None else None

    def _arm(self, moment: datetime | None) -> None:
        """One wake-up timer, kept when unchanged: re-arming on every event would leave a
        fleet's scheduler heap full of cancelled timers."""
        if self._next is not None and not self._next.cancelled and moment == self._next_at:
            return
        if self._next is not None:
            self._next.cancel()
            self._next = None
        self._next_at = moment
        if moment is not None:
            delay = max(0.0, (moment - self._scheduler.now()).total_seconds())
            self._next = self._scheduler.call_later(delay, self._wake)

    def _wake(self) -> None:
        self._next = None
        self._advance()

    def _pop_ready(self, now: datetime) -> dict[str, Any] | None:
        while self._queue:
            alert = self._queue.pop(0)
            if parse_time(alert["valid_until"]) > now:
                return alert
            self._on_event("alert_ignored", {"alert_id": alert["alert_id"], "reason": "expired"})
        return None

    def _scan(self, now: datetime) -> tuple[Item | None, Item | None]:
        """The first item to play now (if any) and the next one to start later."""
        due: Item | None = None
        playing = self._current.item_id if self._current is not None else None
        for item in self._items:
            if item.item_id in self._handled or item.item_id == playing:
                continue
            if item.end <= now:
                self._handled.add(item.item_id)
                if item.item_id in self._interrupted:
                    self._interrupted.discard(item.item_id)  # its interrupted record says it all
                elif self._first_seen.get(item.item_id, now) <= item.start:
                    self._skip(item, "its slot passed while another item played")
                continue
            if self._played_live(item):
                self._handled.add(item.item_id)
                continue
            if item.start <= now:
                due = due or item
                continue
            return due, item
        return due, None

    def _played_live(self, item: Item) -> bool:
        if item.priority != "emergency":
            return False
        live = self._memory.first_live(item.bulletin_id)
        return live is not None and item.start <= live

    def _skip(self, item: Item, reason: str) -> None:
        self._record(
            item.item_id,
            item.bulletin_id,
            item.start,
            self._scheduler.now(),
            "skipped",
            reason,
            emergency=item.priority == "emergency",
            requested_s=item.requested_s,
        )

    def _start_item(self, item: Item, now: datetime) -> None:
        if not self._powered(now):
            self._handled.add(item.item_id)
            self._skip(item, "power off")
            return
        media_path = self._media_path(item.media)
        if item.media and media_path is None:
            self._want_media(item.media)
            if self.kind == "speaker" and not item.text:
                self._handled.add(item.item_id)
                self._record(
                    item.item_id,
                    item.bulletin_id,
                    now,
                    now,
                    "failed",
                    "media not cached",
                    emergency=item.priority == "emergency",
                    requested_s=item.requested_s,
                )
                return
        play = PlayItem(
            key=item.item_id,
            bulletin_id=item.bulletin_id,
            title=item.title,
            text=item.text,
            media=item.media,
            media_path=media_path,
            requested_s=item.requested_s,
            emergency=item.priority == "emergency",
        )
        self._begin(Playing(play, now, item_id=item.item_id, slot_end=item.end))

    def _start_emergency(self, alert: dict[str, Any], now: datetime, repeats: int) -> None:
        valid_until = parse_time(alert["valid_until"])
        self._memory.mark_played(alert["alert_id"], alert["version"], valid_until, now)
        media = alert.get("media") or None
        media_path = self._media_path(media)
        if media and media_path is None:
            self._want_media(media)  # this play reads the text; a later repeat may have the audio
        play = PlayItem(
            key=f"{alert['alert_id']}:{alert['version']}",
            bulletin_id=alert["alert_id"],
            title=alert.get("title", ""),
            text=alert.get("text"),
            media=media,
            media_path=media_path,
            requested_s=speaking_time_s(self.kind, alert.get("text"), media),
            emergency=True,
            source="emergency",
        )
        playing = Playing(play, now, alert=alert, repeats_left=repeats - 1)
        expiry = (valid_until - now).total_seconds()
        playing.handles.append(self._scheduler.call_later(expiry, lambda: self._expired(playing)))
        self._begin(playing)

    def _begin(self, playing: Playing) -> None:
        self._current = playing
        end = self._scheduler.call_later(playing.item.requested_s, lambda: self._finished(playing))
        playing.handles.append(end)
        self.player.start(playing.item)

    def _finished(self, playing: Playing) -> None:
        if self._current is not playing:
            return
        self._end(playing, "ok", None)
        if playing.item_id is not None:
            self._handled.add(playing.item_id)
            self._interrupted.discard(playing.item_id)
        alert = playing.alert
        if alert is not None and playing.repeats_left > 0:
            now = self._scheduler.now()
            if parse_time(alert["valid_until"]) > now:
                self._start_emergency(alert, now, playing.repeats_left)
                return
        self._advance()

    def _expired(self, playing: Playing) -> None:
        if self._current is playing:
            self._cut(playing, "interrupted", "valid_until passed")
            self._advance()

    def _cut(self, playing: Playing, result: str, reason: str) -> None:
        if playing.item_id is not None and playing.item_id not in self._handled:
            self._interrupted.add(playing.item_id)
        self._end(playing, result, reason)

    def _end(self, playing: Playing, result: str, reason: str | None) -> None:
        for handle in playing.handles:
            handle.cancel()
        if self._current is playing:
            self._current = None
            self.player.stop()
        item = playing.item
        self._record(
            item.key,
            item.bulletin_id,
            playing.started_at,
            self._scheduler.now(),
            result,
            reason,
            emergency=item.emergency,
            requested_s=item.requested_s,
        )

    def _record(
        self,
        key: str,
        bulletin_id: str,
        started: datetime,
        ended: datetime,
        result: str,
        reason: str | None,
        *,
        emergency: bool,
        requested_s: float,
    ) -> None:
        record: dict[str, Any] = {
            "play_id": play_id(self.thing, key, started),
            "bulletin_id": bulletin_id[:64],
            "started_at": iso(started),
            "ended_at": iso(max(started, ended)),
            "result": result,
            "emergency": emergency,
            "requested_s": round(requested_s, 3),
        }
        if reason:
            record["reason"] = reason[:500]
        self._on_record(record)
