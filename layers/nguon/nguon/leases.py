"""One claim rule for the workers that take a record for themselves (media ingest, people's
synthesis tasks, bulletins' voices).

A worker claims a record with a conditional write (a version, a status, a start time), so two
workers never both win. The claim lasts one lease (``Settings.claim_lease_s``: Lambda's
15-minute ceiling and a minute) from its start or its last write: while it is live another
worker leaves the record alone (its own message comes back later); once it has lapsed, its
worker died with its Lambda and the record is taken over. A worker that knows its own deadline
(Lambda's remaining time) may claim until then instead.
"""

from datetime import datetime, timedelta
from typing import overload

from nguon.config import get_settings


def lease_length() -> timedelta:
    """How long a claim lasts without its worker writing."""
    return timedelta(seconds=get_settings().claim_lease_s)


def expiry(claimed_at: datetime, deadline: datetime | None = None) -> datetime:
    """When a claim taken at ``claimed_at`` lapses: the worker's deadline when it knows it."""
    return deadline or claimed_at + lease_length()


@overload
def is_live(claimed_at: datetime, now: datetime) -> bool: ...
@overload
def is_live(claimed_at: float, now: float) -> bool: ...
def is_live(claimed_at: datetime | float, now: datetime | float) -> bool:
    """Whether a claim taken (or last written) at ``claimed_at`` still holds at ``now``;
    datetimes, or epoch seconds for records that keep those."""
    if isinstance(claimed_at, datetime) and isinstance(now, datetime):
        return now - claimed_at < lease_length()
    if isinstance(claimed_at, datetime) or isinstance(now, datetime):
        raise TypeError("claimed_at and now: both datetimes or both epoch seconds")
    return now - claimed_at < lease_length().total_seconds()
