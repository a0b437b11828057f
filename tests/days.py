"""Days for tests, counted from today in the system's zone: never a calendar day that can pass.

The suite is run with the clock moved (``faketime -f '+400d' make test``), so every date a test
sends to the API is today plus an offset, and its results are compared with dates made the same way.
"""

from datetime import date, timedelta

from nguon.clock import now


def today() -> date:
    """Today in Asia/Ho_Chi_Minh (the zone the API reads dates in), not the machine's UTC day."""
    return now().date()


def day_from_today(offset: int) -> str:
    """``YYYY-MM-DD``, ``offset`` days from today."""
    return (today() + timedelta(days=offset)).isoformat()
