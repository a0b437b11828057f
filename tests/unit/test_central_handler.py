"""functions/central/app.py: stream records deliver their item (one that fails is reported
alone in ``batchItemFailures``); any other event is the schedule's re-drive."""

import importlib.util
from pathlib import Path

import pytest

from nguon.services.central import DeliveryReport
from tests.unit.test_fanout_handler import Context, record


class Delivery:
    def __init__(self, failing: str = "") -> None:
        self.failing = failing
        self.delivered: list[str] = []
        self.redriven = 0

    def deliver(self, item_id: str) -> DeliveryReport:
        if item_id == self.failing:
            raise RuntimeError("the table did not answer")
        self.delivered.append(item_id)
        return DeliveryReport(sent=[item_id])

    def redrive(self) -> DeliveryReport:
        self.redriven += 1
        return DeliveryReport(sent=["report-r-1-v2"], failed=["bulletin-b-2"])


@pytest.fixture
def function():
    path = Path(__file__).parents[2] / "functions" / "central" / "app.py"
    spec = importlib.util.spec_from_file_location("_central_app_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outbox(sequence: str, item_id: str) -> dict:
    image = {"status": {"S": "pending"}, "attempts": {"N": "0"}}
    return record(sequence, f"OUTBOX#{item_id}", "OUTBOX", image)


def test_stream_records_are_delivered_and_a_failure_is_reported_alone(function, monkeypatch):
    service = Delivery(failing="bulletin-b-2")
    monkeypatch.setattr(function, "delivery", lambda: service)
    event = {
        "Records": [
            outbox("101", "report-r-1-v2"),
            outbox("102", "bulletin-b-2"),
            outbox("103", "bulletin-b-3"),
        ]
    }
    answer = function.lambda_handler(event, Context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert service.delivered == ["report-r-1-v2", "bulletin-b-3"]
    assert service.redriven == 0


def test_the_schedule_re_drives(function, monkeypatch):
    service = Delivery()
    monkeypatch.setattr(function, "delivery", lambda: service)
    answer = function.lambda_handler({"source": "aws.scheduler", "detail": {}}, Context())
    assert answer == {"sent": 1, "failed": 1, "dead": 0, "skipped": 0}
    assert service.redriven == 1
    assert service.delivered == []
