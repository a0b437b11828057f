"""What the province sends up to the national source information system (hệ thống thông tin
nguồn trung ương), and the outbox that carries it.

An outbox item is written in the same DynamoDB transaction as the record it carries (a
province report submitted to the ministry, a province bulletin approved), so nothing is sent
that was not committed and nothing committed is forgotten. It then moves:

```
 pending ──send ok / 409 duplicate──► sent
    │ send failed (attempts < max)          ▲
    ▼                                       │
 failed ──(next_attempt_at: backoff)──► retried
    │ attempts = max, or refused for good
    ▼
 dead ──(POST /central/outbox/{id}/retry)──► pending (attempts from 0)
```
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

OUTBOX_ID_PATTERN = r"^(report|bulletin)-[A-Za-z0-9-]{1,80}$"


class OutboxKind(StrEnum):
    REPORT = "report"
    """A province report, sent when the province submits it (to the ministry)."""
    BULLETIN = "bulletin"
    """A bulletin the province issued, sent when approved (essential information)."""


class OutboxStatus(StrEnum):
    PENDING = "pending"
    """Written, not yet tried (or put back by a retry)."""
    SENT = "sent"
    FAILED = "failed"
    """Tried and failed; tried again at ``next_attempt_at``."""
    DEAD = "dead"
    """Given up (``last_error`` says why); only a person's retry sends it again."""


OPEN = (OutboxStatus.PENDING, OutboxStatus.FAILED)
"""Statuses a deliverer may still send."""


class OutboxItem(BaseModel):
    """One thing to send, once. Its ``id`` is the ``Idempotency-Key`` the national system sees on
    every attempt, so a repeat after a lost answer is recognised there as the same thing."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=OUTBOX_ID_PATTERN)
    kind: OutboxKind
    subject_id: str
    """The report's or the bulletin's id."""
    unit: str
    title: str
    status: OutboxStatus = OutboxStatus.PENDING
    version: int = 1
    """Every change is conditional on the version read: two deliverers never both send."""
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime | None = None
    """When a pending or failed item is due; ``None`` once sent or dead."""
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    dead_at: datetime | None = None
    receipt: str | None = None
    """The national system's reference for it, when its answer gives one."""
    claimed_at: datetime | None = None
    """Set while a deliverer is sending it (``nguon.leases``)."""
    retried_by: str | None = None
    """The username who last put a dead item back."""
    payload: dict[str, Any] = Field(default_factory=dict, exclude=True)
    """The record as committed (the report or the bulletin, JSON). Stored and sent, not listed."""


class OutboxView(BaseModel):
    """``GET /central/outbox``: the items of a status, newest first."""

    configured: bool
    """Whether a national system's address is set; when not, items wait as ``pending``."""
    items: list[OutboxItem]
    next: str | None = None
