"""The resolver benchmark's generator, at a tiny size: its days are valid programmes."""

from collections import Counter
from datetime import datetime, time, timedelta
from itertools import pairwise

import pytest

from nguon.clock import localize
from nguon.models.units import UnitLevel
from nguon.services.programme_resolver import resolve_programme
from tests.bench import programme as bench
from tests.factories import catalogue

COMMUNES = sorted(code for code, unit in catalogue().items() if unit.level is UnitLevel.COMMUNE)


def plays_asked(bulletin, order):
    """The plays the resolver owes ``bulletin`` on the bench day: placed or reported."""
    if bulletin.priority == "normal":
        placed = sum(1 for entry in order.items if entry.bulletin_id == bulletin.id and entry.start)
        return max(placed, len(bulletin.schedule.occurrences_on(bench.DAY)))
    start = localize(datetime.combine(bench.DAY, time()))
    firsts = [
        *bulletin.schedule.occurrences_on(bench.DAY - timedelta(days=1)),
        *bulletin.schedule.occurrences_on(bench.DAY),
    ]
    starts = [
        moment
        for first in firsts
        for moment in (bulletin.repeat.starts_from(first) if bulletin.repeat else [first])
    ]
    return sum(1 for moment in starts if start <= moment < start + timedelta(days=1))


def assert_valid_day(commune, bulletins):
    order = bench.commune_order(bulletins, commune)
    day = resolve_programme(
        catalogue()[commune], bench.DAY, bulletins, settings=bench.SETTINGS, order=order
    )

    for before, after in pairwise(day.items):
        assert before.end <= after.start, (before, after)
    accounted = Counter(
        item.bulletin_id
        for item in day.items
        if item.placement not in ("resumed", "restarted")  # the rest of a cut item
    )
    accounted.update(reported.bulletin_id for reported in day.not_placed)
    for bulletin in bulletins:
        assert accounted[bulletin.id] == plays_asked(bulletin, order), bulletin.id
    return day


def test_one_commune_day_is_a_valid_programme():
    bulletins = bench.commune_pool(60)

    day = assert_valid_day(bench.COMMUNE, bulletins)

    # Crowded enough to cut items and to leave some out, as the bench's sizes do.
    assert any(item.placement == "restarted" for item in day.items)
    assert day.not_placed
    assert {b.layer for b in bulletins} == set(UnitLevel)
    assert {b.priority for b in bulletins} == {"normal", "priority", "emergency"}


@pytest.mark.parametrize("commune", COMMUNES[::15])
def test_each_commune_of_a_province_pool_gets_a_valid_programme(commune):
    pool = bench.province_pool(120)
    bulletins = bench.in_scope(pool, commune)

    assert bulletins, "every commune hears the province"
    assert_valid_day(commune, bulletins)


def test_the_generator_is_deterministic_and_nested():
    assert bench.commune_pool(12) == bench.commune_pool(12)
    assert bench.commune_pool(12) == bench.commune_pool(30)[:12]
    assert bench.province_pool(12) == bench.province_pool(12)


def test_the_baseline_lists_every_occurrence_in_start_order():
    bulletins = bench.commune_pool(40)

    plays = bench.baseline(bench.DAY, bulletins)

    assert [start for start, _, _ in plays] == sorted(start for start, _, _ in plays)
    todays = sum(
        len(b.repeat.starts_from(first)) if b.repeat else 1
        for b in bulletins
        for first in b.schedule.occurrences_on(bench.DAY)
    )
    assert len(plays) == todays
