"""The periods a unit's statistics counters are kept for, and how a date range is read from them.

Every addition to a unit's counters for a local day is also added to the day's month and year
(``rollup``), and the counters that are state (devices in service: summed up to a day they give
the devices that day) to a running ``STATE`` item. A range is then read as whole years, whole
months and only its ragged edges as days (``spans``): a year's board reads one item instead of
up to 366, and the state as of a range's end is the running state less what changed after it.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Literal

Grain = Literal["DAY", "MONTH", "YEAR"]
GRAINS: tuple[Grain, ...] = ("DAY", "MONTH", "YEAR")

STATE_COUNTERS = ("devices", "speaker@", "board@", "trained")
"""Counters (names or prefixes) that are state rather than activity (trained staff: a record
once written counts from then on)."""

STATE = "STATE"
"""The sort key of the running-state item."""

LAST_YEAR = 9999


def is_state(name: str) -> bool:
    return name.startswith(STATE_COUNTERS)


def period_key(grain: Grain, day: date) -> str:
    text = day.isoformat()
    return text if grain == "DAY" else text[:7] if grain == "MONTH" else text[:4]


def rollup(day: date, values: Mapping[str, float]) -> list[tuple[str, dict[str, float]]]:
    """The items (sort key, amounts) one day's addition moves: its day, month and year, and
    the running state for the state counters."""
    items: list[tuple[str, dict[str, float]]] = [
        (f"{grain}#{period_key(grain, day)}", dict(values)) for grain in GRAINS
    ]
    state = {name: amount for name, amount in values.items() if is_state(name)}
    if state:
        items.append((STATE, state))
    return items


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def spans(first: date, last: date) -> list[tuple[Grain, str, str]]:
    """``[first, last]`` as few items as possible: (grain, first period, last period), the
    periods of one grain contiguous. Whole years as years, whole months as months, the rest
    as days: at most five spans (days, months, years, months, days)."""
    found: list[tuple[Grain, str, str]] = []
    day = first
    while day <= last:
        grain: Grain
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= last:
            grain, end = "YEAR", date(day.year, 12, 31)
        elif day.day == 1 and _month_end(day) <= last:
            grain, end = "MONTH", _month_end(day)
        else:
            grain, end = "DAY", day
        key = period_key(grain, day)
        if found and found[-1][0] == grain:
            found[-1] = (grain, found[-1][1], key)
        else:
            found.append((grain, key, key))
        day = end + timedelta(days=1)
    return found


def spans_after(last: date, newest: int) -> list[tuple[Grain, str, str]]:
    """Everything after ``last`` up to the end of year ``newest`` (nothing is counted later
    than now): the rest of its year as days and months, then the years."""
    rest = spans(last + timedelta(days=1), date(last.year, 12, 31))
    if newest > last.year:
        rest.append(("YEAR", str(last.year + 1), str(min(newest, LAST_YEAR))))
    return rest


def sort_keys(found: list[tuple[Grain, str, str]]) -> list[str]:
    """Every item's sort key in the spans: what one batch of gets reads (each a key lookup,
    where a Query's cost on the local cloud's moto grows with the table)."""
    keys = []
    for grain, first, last in found:
        if grain == "YEAR":
            keys += [f"YEAR#{year}" for year in range(int(first), int(last) + 1)]
            continue
        day = date.fromisoformat(first if grain == "DAY" else f"{first}-01")
        end = date.fromisoformat(last if grain == "DAY" else f"{last}-01")
        while day <= end:
            keys.append(f"{grain}#{period_key(grain, day)}")
            day = day + timedelta(days=1) if grain == "DAY" else _month_end(day) + timedelta(days=1)
    return keys
