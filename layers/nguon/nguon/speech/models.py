"""Records of the speech service that storage keeps (the shapes, not the rules)."""

from dataclasses import dataclass
from typing import Any


@dataclass
class StoredTask:
    """A synthesis task as stored: Polly's ``SynthesisTask`` shape, the request to read
    (Polly's members plus the output ``Bucket`` and ``Key``), and the worker's bookkeeping."""

    task: dict[str, Any]
    request: dict[str, Any]
    started_at: float = 0.0
    """When the worker holding it claimed it (seconds since the epoch; 0: nobody)."""
    attempts: int = 0

    @property
    def task_id(self) -> str:
        return str(self.task["TaskId"])

    @property
    def status(self) -> str:
        return str(self.task["TaskStatus"])
