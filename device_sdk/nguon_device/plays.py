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
from pathlib import Path
from typing import Any

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
