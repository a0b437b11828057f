"""What a device plays through: the :class:`Player` protocol and the simulated speaker/board.

The device decides *what* plays and *when*; a player only starts and stops. A real box wraps
its audio output or its display behind the same three members. The simulated players log what
they would play or show (logger ``nguon_device.player``) and call ``on_started`` with the
monotonic time, which the fleet turns into "device X started alert Y at T" for benchmarks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("nguon_device.player")


@dataclass(frozen=True)
class PlayItem:
    """One thing to play: a programme item, one play of an emergency, or a play_now command."""

    key: str
    """``item_id``, ``alert_id:version`` or the command id: the middle part of the play_id."""
    bulletin_id: str
    title: str
    text: str | None
    media: dict[str, Any] | None
    media_path: Path | None
    """The cached media file, ``None`` if there is none or it is not (yet) cached."""
    requested_s: float
    emergency: bool = False
    source: str = "programme"
    """``programme``, ``emergency`` or ``command``."""


class Player(Protocol):
    on_started: Callable[[PlayItem, float], None] | None

    @property
    def current(self) -> PlayItem | None: ...

    def start(self, item: PlayItem) -> None:
        """Start ``item`` now (the device has stopped whatever played before)."""
        ...

    def stop(self) -> None: ...

    def set_volume(self, volume: int) -> None: ...

    def set_brightness(self, brightness: int) -> None: ...


class _Simulated:
    kind = "device"

    def __init__(self, name: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.on_started: Callable[[PlayItem, float], None] | None = None
        self.volume = 70
        self.brightness = 80
        self.history: list[PlayItem] = []
        """Everything started, newest last (tests read it; bounded to the last 100)."""
        self._current: PlayItem | None = None
        self._clock = clock

    @property
    def current(self) -> PlayItem | None:
        return self._current

    def start(self, item: PlayItem) -> None:
        self._current = item
        self.history.append(item)
        del self.history[:-100]
        self._announce(item)
        if self.on_started is not None:
            self.on_started(item, self._clock())

    def stop(self) -> None:
        if self._current is not None:
            log.info("%s: stop %s", self.name, self._current.key)
        self._current = None

    def set_volume(self, volume: int) -> None:
        self.volume = volume

    def set_brightness(self, brightness: int) -> None:
        self.brightness = brightness

    def _announce(self, item: PlayItem) -> None:
        raise NotImplementedError


class SimulatedSpeaker(_Simulated):
    """A loudspeaker cluster: plays the cached media, or reads the text when there is none."""

    kind = "speaker"

    def _announce(self, item: PlayItem) -> None:
        what = f"media {item.media_path.name}" if item.media_path else f"text {item.text!r:.60}"
        log.info(
            "%s: %splay %s (%s) for %.0f s at volume %d: %s",
            self.name,
            "EMERGENCY " if item.emergency else "",
            item.bulletin_id,
            item.title,
            item.requested_s,
            self.volume,
            what,
        )


class SimulatedBoard(_Simulated):
    """A public LED/LCD board: shows the text (and the image or video, if any)."""

    kind = "board"

    def _announce(self, item: PlayItem) -> None:
        log.info(
            "%s: %sshow %s (%s) for %.0f s at brightness %d: %r%s",
            self.name,
            "EMERGENCY " if item.emergency else "",
            item.bulletin_id,
            item.title,
            item.requested_s,
            self.brightness,
            (item.text or "")[:60],
            f" + {item.media_path.name}" if item.media_path else "",
        )


def simulated_player(kind: str, name: str) -> SimulatedSpeaker | SimulatedBoard:
    return SimulatedSpeaker(name) if kind == "speaker" else SimulatedBoard(name)
