"""Proof-of-play records, buffered on disk until the cloud has acknowledged them.

``plays.jsonl`` in the cache directory holds every record not yet acknowledged, one JSON object
a line, so records survive a restart or a power cut (a torn last line is skipped on load). A
record leaves the buffer only when the PUBACK of the batch that carried it arrives; a batch
that fails goes back and is sent again after reconnection. Records are keyed by their
deterministic ``play_id``: the buffer never holds the same play twice, and the cloud dedups
on the same key if a batch arrives twice (acknowledged, but the PUBACK lost).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from nguon_device import topics
from nguon_device.clock import Handle, Scheduler

log = logging.getLogger("nguon_device.plays")


class PlayLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._records: dict[str, dict[str, Any]] = {}
        self._in_flight: set[str] = set()
        self._load()

    def _load(self) -> None:
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                record = json.loads(line)
                self._records[record["play_id"]] = record
            except (json.JSONDecodeError, KeyError, TypeError):
                log.warning("%s: unreadable line skipped", self.path)

    def __len__(self) -> int:
        return len(self._records)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def add(self, record: dict[str, Any]) -> bool:
        """Buffer ``record``; ``False`` if a record with its play_id is already waiting."""
        if record["play_id"] in self._records:
            return False
        self._records[record["play_id"]] = record
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return True

    def take(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` records not already in flight, oldest first, now marked in flight."""
        batch = [r for pid, r in self._records.items() if pid not in self._in_flight][:limit]
        self._in_flight.update(r["play_id"] for r in batch)
        return batch

    def acked(self, play_ids: list[str]) -> None:
        for play_id in play_ids:
            self._in_flight.discard(play_id)
            self._records.pop(play_id, None)
        self._rewrite()

    def failed(self, play_ids: list[str]) -> None:
        """The batch was not acknowledged: its records wait for the next send."""
        self._in_flight.difference_update(play_ids)

    def reset_in_flight(self) -> None:
        self._in_flight.clear()

    def pending(self) -> list[dict[str, Any]]:
        return list(self._records.values())

    def _rewrite(self) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self._records.values()),
            "utf-8",
        )
        os.replace(temporary, self.path)


class PlaySender:
    """Sends the buffer in batches at QoS 1, one batch in flight at a time.

    A new record waits ``flush_s`` for company (so a busy hour goes out in a few batches, not
    one publish per play); a failed batch is retried on reconnection, or shortly if still
    connected.
    """

    def __init__(
        self,
        buffer: PlayLog,
        *,
        thing: str,
        scheduler: Scheduler,
        publish: Callable[[str, dict[str, Any]], Future[None]],
        batch_size: int,
        flush_s: float,
        retry_s: float = 10.0,
    ) -> None:
        self.buffer = buffer
        self.online = False
        self._thing = thing
        self._scheduler = scheduler
        self._publish = publish
        self._batch_size = batch_size
        self._flush_s = flush_s
        self._retry_s = retry_s
        self._timer: Handle | None = None

    def add(self, record: dict[str, Any]) -> bool:
        added = self.buffer.add(record)
        if self._timer is None:
            self._timer = self._scheduler.call_later(self._flush_s, self.flush)
        return added

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.online or self.buffer.in_flight:
            return
        batch = self.buffer.take(self._batch_size)
        if not batch:
            return
        ids = [record["play_id"] for record in batch]
        future = self._publish(topics.plays(self._thing), {"thing": self._thing, "records": batch})
        future.add_done_callback(
            lambda f: self._scheduler.call_soon(lambda: self._sent(ids, f.exception()))
        )

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _sent(self, ids: list[str], error: BaseException | None) -> None:
        if error is not None:
            self.buffer.failed(ids)  # resent after reconnection (or soon, if still online)
            if self.online and self._timer is None:
                self._timer = self._scheduler.call_later(self._retry_s, self.flush)
            return
        self.buffer.acked(ids)
        if len(self.buffer):
            self.flush()
