"""The stream counts a person once into ``trained``: their first online record at a district or
commune; offline records, province staff and later records add nothing."""

import json
from datetime import timedelta

from nguon.services.stats import StatsService
from nguon.services.unit_catalogue import load_bundled_catalogue
from nguon.services.units import UnitService
from tests.days import day_from_today, today
from tests.fakes import InMemoryUnitStore
from tests.unit.kpi_support import InMemoryStatsStore


def _record(username: str, unit: str, record_id: str, *, online: bool = True) -> dict:
    doc = {"id": record_id, "username": username, "unit": unit, "online": online}
    doc["completed_on"] = day_from_today(-1)
    keys = {"PK": {"S": f"TRAINEE#{username}"}, "SK": {"S": f"TRAINING#{record_id}"}}
    image = {**keys, "doc": {"S": json.dumps(doc)}}
    return {"eventName": "INSERT", "dynamodb": {"Keys": keys, "NewImage": image}}


def test_each_person_is_counted_once_at_their_tier():
    store = InMemoryStatsStore()
    stats = StatsService(
        UnitService(InMemoryUnitStore(load_bundled_catalogue())), bulletins=None, store=store
    )
    added = [
        stats.record(_record("xa-an", "21550", "c-1")),
        stats.record(_record("xa-an", "21550", "c-2")),  # a second course: the same person
        stats.record(_record("huyen-binh", "540", "x-1")),
        stats.record(_record("xa-cuong", "21553", "x-2", online=False)),
        stats.record(_record("tinh-dung", "52", "c-1")),  # province staff: not the target's
    ]
    assert added == [1, 0, 1, 0, 0]
    day = today() - timedelta(days=1)
    assert store.items[("540", day)] == {"trained": 2, "trained@commune": 1, "trained@district": 1}
    assert store.items[("21550", day)] == {"trained": 1, "trained@commune": 1}
    assert ("21553", day) not in store.items
