"""Local time: every time people read is Asia/Ho_Chi_Minh (configurable), stored with its offset."""

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from nguon.config import get_settings

Clock = Callable[[], datetime]
"""What services call for "now"; tests pass a fixed one."""


@lru_cache(maxsize=1)
def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def now() -> datetime:
    """The current time, aware, in the local zone."""
    return datetime.now(UTC).astimezone(local_zone())


def localize(moment: datetime) -> datetime:
    """An aware time in the local zone; a naive one is read as local time (what staff type)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=local_zone())
    return moment.astimezone(local_zone())
