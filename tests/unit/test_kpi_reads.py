"""The KPI board reads few counter items, in one batch of key lookups (what keeps it fast on
DynamoDB, where the cost follows the items read, and on the local cloud's moto, where a Query
walks the table): a year is one roll-up item, a range whole months and its ragged days, devices
the running state less what changed after the range. The numbers
equal a sum over the day items. Counted through the in-memory store, no timing."""

from datetime import date, timedelta

import pytest

from nguon.counters import spans
from nguon.models.principal import Role
from nguon.services.kpis import KpiService, read_figures
from nguon.services.units import UnitService
from tests.days import today
from tests.factories import person
from tests.fakes import InMemoryUnitStore
from tests.unit.kpi_support import CATALOGUE, COMMUNES, InMemoryStatsStore

YEARS = 3


@pytest.fixture(scope="module")
def store():
    """Three years of days for the province: plays every day, a device added on the first of
    each month and one removed on the 15th, so the state changes all the time."""
    store = InMemoryStatsStore()
    start = date(today().year - YEARS + 1, 1, 1)
    day = start
    while day <= date(today().year, 12, 31):
        commune = COMMUNES[day.toordinal() % len(COMMUNES)].code
        values = {"plays": 2.0, "play_s": 61.5, "requested_s": 80.0}
        if day.day == 1:
            values |= {"devices": 1.0, f"speaker@{commune}": 1.0}
        if day.day == 15:
            values |= {"devices": -1.0}
        store.add_once(f"m{day}", {("52", day): values})
        day += timedelta(days=1)
    return store


def by_days(store: InMemoryStatsStore, first: date, last: date) -> dict[str, dict[str, float]]:
    """The old reading: every day item up to the end."""
    state: dict[str, float] = {}
    activity: dict[str, float] = {}
    for day, values in store.days("52", last):
        for name, amount in values.items():
            if name.startswith(("devices", "speaker@")):
                state[name] = state.get(name, 0.0) + amount
            elif day >= first:
                activity[name] = activity.get(name, 0.0) + amount
    return {"state": state, "activity": activity}


def ranges() -> list[tuple[date, date]]:
    year = today().year
    return [
        (date(year, 1, 1), date(year, 12, 31)),  # the board for a year
        (date(year - 1, 1, 1), date(year - 1, 12, 31)),  # a past year
        (today() - timedelta(days=364), today()),  # rolling 365 days
        (date(year - 2, 3, 17), date(year - 1, 11, 3)),  # ragged at both ends, a year inside
        (date(year - 1, 2, 10), date(year - 1, 2, 20)),  # inside one month
        (date(year - 2, 12, 31), date(year - 1, 1, 1)),  # across a new year
    ]


@pytest.mark.parametrize(("first", "last"), ranges())
def test_the_roll_ups_give_the_numbers_of_the_days(store, first, last):
    figures = read_figures(store, "52", first, last)
    expected = by_days(store, first, last)
    assert dict(figures.activity) == pytest.approx(expected["activity"])
    assert {k: v for k, v in figures.state.items() if v} == pytest.approx(
        {k: v for k, v in expected["state"].items() if v}
    )


@pytest.mark.parametrize(("first", "last"), ranges())
def test_a_range_reads_whole_periods_and_only_its_ragged_days(store, first, last):
    store.reads = store.calls = store.asked = 0
    read_figures(store, "52", first, last)
    # Per end: up to 30 ragged days and 11 months; the running state; after the end: the
    # rest of its month as days, of its year as months, and the years after it.
    assert store.asked <= 2 * (30 + 11) + YEARS + 1 + (30 + 11 + YEARS)
    assert store.reads <= store.asked
    assert store.calls == 1


def test_a_year_board_reads_a_handful_of_items(store):
    kpis = KpiService(UnitService(InMemoryUnitStore(CATALOGUE)), store)
    year = today().year
    store.reads = store.calls = store.asked = 0
    board = kpis.board(
        person("tinh", "52", Role.VIEWER), "52", date(year, 1, 1), date(year, 12, 31)
    )
    assert store.asked <= 3  # the year, the running state, next year (nothing counted yet)
    assert store.reads <= 2
    assert store.calls == 1
    plays = {i.id: i for i in board.indicators}["play_time_vs_requested"]
    assert plays.denominator == pytest.approx(80.0 * (date(year, 12, 31).timetuple().tm_yday))


def test_spans_cover_the_range_once():
    first, last = date(2023, 3, 17), date(2025, 2, 3)
    assert spans(first, last) == [
        ("DAY", "2023-03-17", "2023-03-31"),
        ("MONTH", "2023-04", "2023-12"),
        ("YEAR", "2024", "2024"),
        ("MONTH", "2025-01", "2025-01"),
        ("DAY", "2025-02-01", "2025-02-03"),
    ]
    assert spans(date(2024, 1, 1), date(2024, 12, 31)) == [("YEAR", "2024", "2024")]
    assert spans(date(2024, 2, 1), date(2024, 2, 29)) == [("MONTH", "2024-02", "2024-02")]
    assert spans(date(2024, 2, 2), date(2024, 2, 1)) == []
