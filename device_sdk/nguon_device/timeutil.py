"""Times on the wire: ISO 8601 in UTC with a ``Z`` and milliseconds.

The SDK keeps Python 3.10 (small Linux boards), whose ``fromisoformat`` rejects ``Z``; hence
:func:`parse_time` instead of calling it directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

UTC = timezone.utc  # datetime.UTC is 3.11+


def iso(moment: datetime) -> str:
    """``2026-11-27T07:00:00.000Z``: millisecond precision, so a play_id built from it is stable."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """An aware datetime from ISO 8601 text; a time without an offset is an error, not local."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without an offset: {text!r}")
    return parsed.astimezone(UTC)


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()
