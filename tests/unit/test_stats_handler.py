"""functions/stats/app.py: each stream record is counted once (a redelivered batch adds
nothing), and one bad record is reported in ``batchItemFailures`` without holding the others."""

import importlib.util
import json
from datetime import timedelta
from pathlib import Path

import pytest

from nguon.clock import now
from nguon.services.stats import StatsService, local_day
from nguon.services.units import UnitService
from tests.fakes import InMemoryUnitStore
from tests.unit.kpi_support import CATALOGUE, InMemoryStatsStore
from tests.unit.test_fanout_handler import Context, record


@pytest.fixture
def function(monkeypatch):
    path = Path(__file__).parents[2] / "functions" / "stats" / "app.py"
    spec = importlib.util.spec_from_file_location("_stats_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    store = InMemoryStatsStore()
    service = StatsService(UnitService(InMemoryUnitStore(CATALOGUE)), {}, store)
    monkeypatch.setattr(module, "stats", lambda: service)
    return module, store


def play(sequence: str, ok: bool = True, doc: str | None = None) -> dict:
    start = now() - timedelta(hours=2)
    body = doc or json.dumps(
        {
            "thing": "loa-21550-000001",
            "unit": "21550",
            "play_id": f"p{sequence}",
            "bulletin_id": "b-unknown",
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(seconds=30)).isoformat(),
            "result": "ok" if ok else "failed",
            "requested_s": 30,
        }
    )
    return record(sequence, "DEVICE#loa-21550-000001", f"PLAY#{sequence}", {"doc": {"S": body}})


def test_a_batch_is_counted_once_and_a_bad_record_alone_is_retried(function):
    module, store = function
    event = {"Records": [play("1"), play("2", ok=False), play("3", doc="{not json"), play("4")]}
    first = module.lambda_handler(event, Context())
    assert first["batchItemFailures"] == [{"itemIdentifier": "3"}]
    again = module.lambda_handler(event, Context())  # the stream delivers the batch again
    assert again["batchItemFailures"] == [{"itemIdentifier": "3"}]
    day = local_day(now() - timedelta(hours=2))
    for unit in ("52", "540", "21550"):  # the commune and every unit above it
        counters = store.items[(unit, day)]
        assert counters["plays"] == 3
        assert counters["plays_ok"] == 2
        assert counters["play_s"] == pytest.approx(60)
        assert counters["requested_s"] == pytest.approx(90)
