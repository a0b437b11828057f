"""Commands on ``nguon/devices/{thing}/commands``: ``reboot``, ``play_now`` and ``stop``.

Volume and power are not commands: they are desired state in the ``config`` shadow, which
reaches a device that was offline when the operator changed them. Each command is answered
once on ``.../commands/result`` (a duplicate id, e.g. a QoS 1 redelivery, is ignored); an
answer that cannot be sent waits for the next connection.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any, Protocol

from nguon_device import schemas, topics
from nguon_device.cache import ProgrammeCache, fetch_media
from nguon_device.clock import Scheduler
from nguon_device.config import DeviceConfig
from nguon_device.player import PlayItem
from nguon_device.programme import Programme, speaking_time_s
from nguon_device.timeutil import iso

log = logging.getLogger("nguon_device.commands")
REMEMBERED = 256


class CommandTarget(Protocol):
    """What commands need of the device that receives them (:class:`nguon_device.Device`).

    Declared here, not imported from ``device``, so the dependency points one way: the device
    builds its :class:`Commands`; commands know only this much of it."""

    thing: str
    config: DeviceConfig
    cache: ProgrammeCache
    fetch: Callable[[str, float], bytes]
    scheduler: Scheduler
    programme: Programme
    online: bool

    def drop_invalid(self, topic: str, reason: str | None) -> None: ...

    def emit(self, name: str, details: dict[str, Any]) -> None: ...

    def reboot(self) -> None: ...

    def publish(self, topic: str, body: dict[str, Any], qos: int = 1) -> Future[None]: ...


class Commands:
    def __init__(self, device: CommandTarget) -> None:
        self.device = device
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._answers: list[dict[str, Any]] = []

    def receive(self, topic: str, payload: bytes) -> None:
        device = self.device
        command, problem = schemas.parse("command", payload)
        if command is None:
            device.drop_invalid(topic, problem)
            return
        command_id = command["command_id"]
        if command_id in self._seen:
            log.info("%s: command %s already handled", device.thing, command_id)
            return
        self._seen[command_id] = None
        while len(self._seen) > REMEMBERED:
            self._seen.popitem(last=False)
        device.emit("command", {"command_id": command_id, "command": command["command"]})
        if command["command"] == "reboot":
            self.answer(command_id, "done", "rebooting")
            device.scheduler.call_later(1.0, device.reboot)  # let the answer leave first
        elif command["command"] == "stop":
            stopped = device.programme.stop_current("stop command")
            self.answer(command_id, "done", "stopped" if stopped else "nothing was playing")
        else:
            self.play_now(command_id, command.get("args") or {})

    def play_now(self, command_id: str, args: dict[str, Any]) -> None:
        device, config = self.device, self.device.config
        media, text = args.get("media"), args.get("text")
        if not media and not text:
            self.answer(command_id, "failed", "play_now needs text or media")
            return
        media_path = device.cache.media_path(media["sha256"]) if media else None
        if media and media_path is None and not (text and config.kind == "speaker"):
            # Nothing to play until the media is here: fetch it, then play.
            device.scheduler.run_in_background(
                lambda: fetch_media(device.cache, media, device.fetch, config.fetch_timeout_s),
                lambda _path, error: (
                    self.answer(command_id, "failed", f"media: {error}")
                    if error
                    else self.play_now(command_id, args)
                ),
            )
            return
        item = PlayItem(
            key=command_id,
            bulletin_id=args.get("bulletin_id") or command_id,
            title=args.get("bulletin_id") or "play_now",
            text=text,
            media=media,
            media_path=media_path,
            requested_s=speaking_time_s(config.kind, text, media),
            source="command",
        )
        refused = device.programme.play_now(item)
        self.answer(command_id, "failed" if refused else "done", refused or "playing")

    def answer(self, command_id: str, status: str, detail: str | None = None) -> None:
        result = {
            "thing": self.device.thing,
            "command_id": command_id,
            "status": status,
            "at": iso(self.device.scheduler.now()),
        }
        if detail:
            result["detail"] = detail[:500]
        self._answers.append(result)
        self.flush()

    def flush(self) -> None:
        """Send the answers waiting for a connection."""
        device = self.device
        if not device.online:
            return
        answers, self._answers = self._answers, []
        for result in answers:
            future = device.publish(topics.command_result(device.thing), result)
            future.add_done_callback(partial(self._on_published, result))

    def _on_published(self, result: dict[str, Any], future: Future[None]) -> None:
        self._sent(result, future.exception())

    def _sent(self, result: dict[str, Any], error: BaseException | None) -> None:
        if error is not None:  # offline: answered after reconnection
            self.device.scheduler.call_soon(lambda: self._answers.append(result))
